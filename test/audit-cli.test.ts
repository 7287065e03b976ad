import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuditLog } from '../src/platform/index.ts';
import { tamper } from './support/audit.ts';
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
  });
}
