import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from './support/cli.ts';
import { ACTIVITE_HEADER, extractDir, REAL_ROWS, writeExtract } from './support/extracts.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';

for (const storeCase of storeCases()) {
  describe(`caducee directory commands (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    const dir = extractDir();
    before(async () => {
      opened = await storeCase.open();
    });
    after(() => opened.dispose());

    it('imports, prints a summary, and answers show and search in French and in JSON', async () => {
      const file = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.orthoptist,
        REAL_ROWS.doctor,
      ]);
      const human = await runCli(['directory', 'import', file], opened.env);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /Lignes lues\s+2/);
      assert.match(human.stdout, /nouvelles\s+2/);

      const again = await runCli(['directory', 'import', file, '--json'], opened.env);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).persons.unchanged, 2);
      // Imports are admin actions: the audit log keeps each one with its outcome.
      const imports = JSON.parse(
        (await runCli(['audit', 'list', '--type', 'admin.directory.import', '--json'], opened.env)).stdout,
      ) as Array<{ details: { linesRead: number; persons: { created: number } } }>;
      assert.equal(imports.length, 2);
      assert.equal(imports.at(-1)?.details.persons.created, 2);

      const show = await runCli(['directory', 'show', '810001045367'], opened.env);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /Exercice : Médecin — Docteur PRENOM5 NOM5/);
      assert.match(show.stdout, /Santé publique et Médecine sociale \(SM\)/);
      const showJson = JSON.parse(
        (await runCli(['directory', 'show', '0019200575', '--json'], opened.env)).stdout,
      );
      assert.equal(showJson.exercices[0].profession.label, 'Orthoptiste');

      const search = await runCli(
        ['directory', 'search', '--name', 'nom', '--profession', '10', '--json'],
        opened.env,
      );
      assert.deepEqual(
        JSON.parse(search.stdout).map((r: { nationalId: string }) => r.nationalId),
        ['810001045367'],
      );
    });

    it('fails with the error code, file:line and what to do, and exit status 1', async () => {
      const broken = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611260800.txt', [
        ACTIVITE_HEADER,
        `${REAL_ROWS.doctor}extra|`,
      ]);
      const result = await runCli(['directory', 'import', broken], opened.env);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /DIRECTORY_MALFORMED_LINE/);
      assert.match(result.stderr, /PS_LibreAcces_Personne_activite_202611260800\.txt:2 : 53 champs/);
      assert.match(result.stderr, /Aucune donnée n’a été modifiée/);
      const json = await runCli(['directory', 'show', '899700218896', '--json'], opened.env);
      assert.equal(json.code, 1);
      assert.equal(JSON.parse(json.stdout).error.code, 'DIRECTORY_PERSON_NOT_FOUND');
    });

    it('records a contact change that waits for the configured delay', async () => {
      const env = { ...opened.env, CADUCEE_DIRECTORY_CONTACT_CHANGE_DELAY_HOURS: '1' };
      const result = await runCli(
        ['directory', 'set-contact', '810001045367', '--email', 'nouvelle@example.test', '--json'],
        env,
      );
      assert.equal(result.code, 0, result.stderr);
      const { effectiveAt } = JSON.parse(result.stdout);
      const delay = Date.parse(effectiveAt) - Date.now();
      assert.ok(delay > 55 * 60_000 && delay <= 60 * 60_000, `effective in about an hour, got ${delay} ms`);
      const show = await runCli(['directory', 'show', '810001045367'], env);
      assert.match(show.stdout, /changement en attente .* nouvelle@example\.test/);
      const [recorded] = JSON.parse(
        (await runCli(['audit', 'list', '--type', 'admin.directory.set_contact', '--json'], env)).stdout,
      ) as Array<{ subject: string; actor: string }>;
      assert.equal(recorded?.subject, '810001045367');
      assert.equal(recorded?.actor, 'cli');
    });
  });
}

describe('caducee configuration', () => {
  it('lists every invalid setting at once and exits non-zero', async () => {
    const result = await runCli(['config', 'print'], {
      CADUCEE_IDP_URL: 'localhost',
      CADUCEE_DIRECTORY_INACTIVATION_THRESHOLD: '2',
      CADUCEE_TYPO: 'x',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /CONFIG_INVALID/);
    assert.match(result.stderr, /idp\.url \(CADUCEE_IDP_URL\)/);
    assert.match(
      result.stderr,
      /directory\.inactivationThreshold \(CADUCEE_DIRECTORY_INACTIVATION_THRESHOLD\)/,
    );
    assert.match(result.stderr, /CADUCEE_TYPO : variable inconnue/);
  });

  it('prints effective values with their origin and hides credentials', async () => {
    const result = await runCli(['config', 'print', '--json'], {
      CADUCEE_DATABASE_URL: 'postgres://caducee:s3cret@db.example:5432/caducee',
    });
    assert.equal(result.code, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as Array<{ setting: string; value: unknown; origin: string }>;
    const database = rows.find((row) => row.setting === 'databaseUrl');
    assert.equal(database?.value, 'postgres://caducee:********@db.example:5432/caducee');
    assert.equal(database?.origin, 'CADUCEE_DATABASE_URL');
    assert.equal(rows.find((row) => row.setting === 'idp.url')?.value, 'https://localhost:8443');
    assert.doesNotMatch(result.stdout, /s3cret/);
  });
});

for (const storeCase of storeCases()) {
  describe(`caducee client and keys commands (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    before(async () => {
      opened = await storeCase.open();
    });
    after(() => opened.dispose());

    it('registers a client, prints its credentials, lists it without its secret, removes it', async () => {
      const added = await runCli(
        [
          'client',
          'add',
          '--name',
          'Espace test',
          '--redirect-uri',
          'https://rp.example.fr/callback',
          '--backchannel-logout-uri',
          'https://rp.example.fr/bcl',
          '--json',
        ],
        opened.env,
      );
      assert.equal(added.code, 0, added.stderr);
      const { client_id, client_secret, token_endpoint_auth_method } = JSON.parse(added.stdout);
      assert.match(client_id, /^caducee-/);
      assert.ok(client_secret.length >= 40);
      assert.equal(token_endpoint_auth_method, 'client_secret_basic');
      const listed = await runCli(['client', 'list', '--json'], opened.env);
      assert.equal(JSON.parse(listed.stdout)[0].client_id, client_id);
      assert.doesNotMatch(listed.stdout, new RegExp(client_secret));
      const refused = await runCli(
        ['client', 'add', '--name', 'X', '--redirect-uri', 'http://rp.example.fr/cb'],
        opened.env,
      );
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /OIDC_CLIENT_INVALID.*doit être en https/s);
      assert.equal((await runCli(['client', 'remove', client_id], opened.env)).code, 0);
      const again = await runCli(['client', 'remove', client_id], opened.env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /OIDC_CLIENT_NOT_FOUND/);
      // Both admin actions are kept, and the secret never reaches the log.
      for (const type of ['admin.client.add', 'admin.client.remove']) {
        const listed = await runCli(['audit', 'list', '--type', type, '--json'], opened.env);
        const events = JSON.parse(listed.stdout) as Array<{
          actor: string;
          subject: string;
          outcome: string;
        }>;
        assert.deepEqual(
          events.map((event) => [event.actor, event.subject, event.outcome]),
          [['cli', client_id, 'success']],
          type,
        );
        assert.ok(!listed.stdout.includes(client_secret), type);
      }
    });

    it('rotates the signing keys and keeps the old ones listed as retired', async () => {
      const first = JSON.parse((await runCli(['keys', 'rotate', '--json'], opened.env)).stdout);
      const second = JSON.parse((await runCli(['keys', 'rotate', '--json'], opened.env)).stdout);
      assert.equal(second.filter((k: { retiredAt: string | null }) => k.retiredAt === null).length, 2);
      assert.equal(second.length, first.length + 2);
    });
  });
}
