import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAuditLog } from '../src/platform/index.ts';
import { rewriteChain, tamper } from './support/audit.ts';
import { runCli } from './support/cli.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';

for (const storeCase of storeCases()) {
  describe(`caducee audit commands (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    before(async () => {
      opened = await storeCase.open();
    });
    after(() => opened.dispose());

    it('verifies the chain, lists events, and exits 1 naming the first altered event', async () => {
      const empty = await runCli(['audit', 'verify'], opened.env);
      assert.equal(empty.code, 0, empty.stderr);
      assert.match(empty.stdout, /Journal d'audit intègre : 0 événement\n/);

      const audit = createAuditLog(opened.store.db);
      for (const [type, actor] of [
        ['card.login', '899760000010'],
        ['ecps.approve', '899760000028'],
        ['card.revoke', 'cli'],
      ] as const) {
        await audit.record({ type, outcome: 'success', actor, ip: '198.51.100.7', method: 'card' });
      }
      // A CLI process appends to the same chain as the service.
      const rotate = await runCli(['keys', 'rotate'], opened.env);
      assert.equal(rotate.code, 0, rotate.stderr);

      const human = await runCli(['audit', 'verify'], opened.env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /Journal d'audit intègre : 4 événements\nDernière empreinte : [0-9a-f]{64}/);
      const json = await runCli(['audit', 'verify', '--json'], opened.env);
      assert.equal(json.code, 0, json.stderr);
      const verified = JSON.parse(json.stdout);
      assert.deepEqual([verified.ok, verified.events], [true, 4]);

      const list = await runCli(['audit', 'list', '--type', 'ecps.approve'], opened.env);
      assert.equal(list.code, 0, list.stderr);
      assert.match(
        list.stdout,
        /ecps\.approve {2}succès {2}par 899760000028 {2}\(card\) {2}depuis 198\.51\.100\.7/,
      );
      assert.doesNotMatch(list.stdout, /card\.login/);
      const listed = JSON.parse(
        (await runCli(['audit', 'list', '--limit', '2', '--json'], opened.env)).stdout,
      );
      assert.deepEqual(
        listed.map((event: { type: string }) => event.type),
        ['admin.keys.rotate', 'card.revoke'],
      );
      const badLimit = await runCli(['audit', 'list', '--limit', 'beaucoup'], opened.env);
      assert.equal(badLimit.code, 1);
      assert.match(badLimit.stderr, /BAD_REQUEST/);

      const [, second] = (await audit.list()).reverse();
      await tamper(opened.store, [
        `update audit_event set actor = '899700000000' where id = '${second!.id}'`,
      ]);
      const broken = await runCli(['audit', 'verify'], opened.env);
      assert.equal(broken.code, 1);
      assert.match(
        broken.stderr,
        new RegExp(
          `Erreur AUDIT_CHAIN_BROKEN : Journal d'audit altéré à l'événement ${second!.id} \\(n° 2\\) : son contenu ne correspond plus à son empreinte`,
        ),
      );
      const brokenJson = await runCli(['audit', 'verify', '--json'], opened.env);
      assert.equal(brokenJson.code, 1);
      const { error } = JSON.parse(brokenJson.stdout);
      assert.equal(error.code, 'AUDIT_CHAIN_BROKEN');
      assert.deepEqual(
        [error.details.id, error.details.problem, error.details.verified],
        [second!.id, 'changed', 1],
      );
    });

    it('prints the anchor to keep, and exits 1 when a kept anchor no longer matches a recomputed chain', async () => {
      const anchored = await storeCase.open();
      try {
        const audit = createAuditLog(anchored.store.db);
        for (let index = 0; index < 5; index++)
          await audit.record({ type: 'card.login', outcome: 'success' });
        const first = await runCli(['audit', 'verify'], anchored.env);
        assert.equal(first.code, 0, first.stderr);
        const anchor = /Ancre à conserver hors de la base : (5:[0-9a-f]{64})\n/.exec(first.stdout)?.[1];
        assert.ok(anchor, first.stdout);
        assert.equal(
          JSON.parse((await runCli(['audit', 'verify', '--json'], anchored.env)).stdout).anchor,
          anchor,
        );

        await audit.record({ type: 'ecps.approve', outcome: 'success' });
        const still = await runCli(['audit', 'verify', '--anchor', anchor], anchored.env);
        assert.equal(still.code, 0, still.stderr);
        assert.match(
          still.stdout,
          /Ancres vérifiées : 1, toutes valables\nAncre à conserver hors de la base : 6:/,
        );

        const typo = await runCli(['audit', 'verify', '--anchor', '5:abc'], anchored.env);
        assert.equal(typo.code, 1);
        assert.match(typo.stderr, /BAD_REQUEST.*5:abc/);

        // Someone with write access changes event 3 and recomputes every hash after it.
        await rewriteChain(anchored.store, 3, '899700000000');
        const alone = await runCli(['audit', 'verify'], anchored.env);
        assert.equal(alone.code, 0, 'the recomputed chain holds by itself');
        const caught = await runCli(['audit', 'verify', '--anchor', anchor], anchored.env);
        assert.equal(caught.code, 1);
        assert.match(
          caught.stderr,
          /Erreur AUDIT_ANCHOR_MISMATCH : Journal d'audit réécrit : l'événement n° 5 n'a plus l'empreinte notée/,
        );
        // The same anchor, from the file a provider's server keeps.
        const file = path.join(mkdtempSync(path.join(tmpdir(), 'caducee-anchors-')), 'anchors.txt');
        writeFileSync(file, `# ancres\n2026-11-26T10:00:00.000Z ${anchor}\n`);
        const fromFile = await runCli(['audit', 'verify', '--anchors-file', file, '--json'], anchored.env);
        assert.equal(fromFile.code, 1);
        const { error } = JSON.parse(fromFile.stdout);
        assert.deepEqual(
          [error.code, error.details.seq, error.details.expected],
          ['AUDIT_ANCHOR_MISMATCH', 5, anchor.slice(2)],
        );
      } finally {
        await anchored.dispose();
      }
    });
  });
}
