import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { startIdpServer } from '../src/cli/servers.ts';
import { addClient, loadClientSecretKey, type OidcDb } from '../src/oidc/index.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import { runCli } from './support/cli.ts';
import { trustingFetch } from './support/https.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { type TestSystem, testSystem } from './support/system.ts';

const secret = 'secret-of-the-machine-client-0123456789abc';
/** One client per way of presenting a secret, and one stored as before secrets were sealed. */
const SECRETS = {
  machine: secret,
  'machine-post': 'secret-of-the-post-client-0123456789abcdef',
  'machine-jwt': 'secret-of-the-jwt-client-0123456789abcdefgh',
  'machine-legacy': 'secret-stored-in-clear-0123456789abcdefghij',
};

function machineClient(clientId: string, method: string) {
  return {
    client_id: clientId,
    client_name: 'Service sans utilisateur',
    client_secret: SECRETS[clientId as keyof typeof SECRETS],
    redirect_uris: [],
    token_endpoint_auth_method: method,
    grant_types: ['client_credentials'],
    response_types: [],
  };
}

/**
 * openid-client's errors carry the OAuth error code (`invalid_client`…) as `error`, or, for a 401
 * with a `WWW-Authenticate` challenge (client_secret_basic), in the challenge's parameters.
 */
async function rejectsWithOAuth(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    const failure = error as { error?: string; cause?: Array<{ parameters?: { error?: string } }> };
    assert.equal(failure.error ?? failure.cause?.[0]?.parameters?.error, code, String(error));
    return true;
  });
}

for (const storeCase of storeCases()) {
  describe(`client credentials grant (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let server: RunningServer;
    let config: client.Configuration;
    let cliEnv: Record<string, string>;
    let fetchTrusted: ReturnType<typeof trustingFetch>;

    const discover = (clientId: string, clientSecret: string, auth?: client.ClientAuth) =>
      client.discovery(new URL(test.system.settings.idp.url), clientId, clientSecret, auth, {
        [client.customFetch]: fetchTrusted as unknown as client.CustomFetch,
      });
    /** Every column of every registered client, as text. */
    const clientRows = async () =>
      JSON.stringify(await (opened.store.db as OidcDb).selectFrom('oidc_client').selectAll().execute());

    before(async () => {
      opened = await storeCase.open();
      // The CLI and the server must share the data directory (the key of the client secrets):
      // on SQLite it is the store's.
      test = await testSystem(
        opened,
        opened.env.CADUCEE_DATA_DIR ? { dataDir: opened.env.CADUCEE_DATA_DIR } : {},
      );
      cliEnv = { ...opened.env, CADUCEE_DATA_DIR: test.system.settings.dataDir };
      const db = opened.store.db as OidcDb;
      const key = loadClientSecretKey(test.system.settings);
      await addClient(db, key, machineClient('machine', 'client_secret_basic'));
      await addClient(db, key, machineClient('machine-post', 'client_secret_post'));
      await addClient(db, key, machineClient('machine-jwt', 'client_secret_jwt'));
      // As a version before sealing stored it: the secret inside the metadata.
      await db
        .insertInto('oidc_client')
        .values({
          client_id: 'machine-legacy',
          metadata: JSON.stringify(machineClient('machine-legacy', 'client_secret_basic')),
          created_at: new Date().toISOString(),
        })
        .execute();
      server = await startIdpServer(test.system, createLogger('silent'), test.ports.idp);
      fetchTrusted = trustingFetch((await test.system.tls()).caPem);
      config = await discover('machine', secret);
    });
    after(async () => {
      await server?.close();
      test?.dispose();
      await opened?.dispose();
    });

    it('gives a registered client a token that carries no professional identity', async () => {
      const tokens = await client.clientCredentialsGrant(config);
      assert.ok(tokens.access_token);
      assert.equal(tokens.id_token, undefined);
      const introspected = await client.tokenIntrospection(config, tokens.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.sub, undefined);
    });

    it("refuses a professional's scopes with this grant", async () => {
      for (const scope of ['openid', 'scope_all', 'openid scope_all']) {
        await assert.rejects(client.clientCredentialsGrant(config, { scope }), (error: unknown) => {
          assert.equal((error as { error?: string }).error, 'invalid_scope');
          return true;
        });
      }
    });

    it('keeps no client secret in the database, and every client still authenticates with its own', async () => {
      // The provider's start sealed the one stored in clear.
      const rows = await clientRows();
      for (const [clientId, clientSecret] of Object.entries(SECRETS))
        assert.ok(!rows.includes(clientSecret), `${clientId}: its secret is not in the database`);
      const ways = {
        machine: (value: string) => client.ClientSecretBasic(value),
        'machine-post': (value: string) => client.ClientSecretPost(value),
        'machine-jwt': (value: string) => client.ClientSecretJwt(value),
        'machine-legacy': (value: string) => client.ClientSecretBasic(value),
      };
      for (const [clientId, way] of Object.entries(ways)) {
        const clientSecret = SECRETS[clientId as keyof typeof SECRETS];
        const tokens = await client.clientCredentialsGrant(
          await discover(clientId, clientSecret, way(clientSecret)),
        );
        assert.ok(tokens.access_token, clientId);
        const wrong = `${clientSecret.slice(0, -1)}x`;
        await rejectsWithOAuth(
          client.clientCredentialsGrant(await discover(clientId, wrong, way(wrong))),
          'invalid_client',
        );
      }
    });

    it('`caducee client rotate-secret` prints a new secret once, refuses the old one at once, audits it', async () => {
      const rotated = await runCli(['client', 'rotate-secret', 'machine-post', '--json'], cliEnv);
      assert.equal(rotated.code, 0, rotated.stderr);
      const { client_id: clientId, client_secret: newSecret } = JSON.parse(rotated.stdout);
      assert.equal(clientId, 'machine-post');
      assert.match(newSecret, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(!(await clientRows()).includes(newSecret), 'the new secret is stored sealed');
      await rejectsWithOAuth(
        client.clientCredentialsGrant(
          await discover(
            'machine-post',
            SECRETS['machine-post'],
            client.ClientSecretPost(SECRETS['machine-post']),
          ),
        ),
        'invalid_client',
      );
      const tokens = await client.clientCredentialsGrant(
        await discover('machine-post', newSecret, client.ClientSecretPost(newSecret)),
      );
      assert.ok(tokens.access_token);
      const [event] = await test.system.audit.list({ type: 'admin.client.rotate_secret' });
      assert.deepEqual([event?.actor, event?.subject, event?.outcome], ['cli', 'machine-post', 'success']);
      assert.ok(!JSON.stringify(event).includes(newSecret), 'the audit log does not keep the secret');

      const human = await runCli(['client', 'rotate-secret', 'machine-jwt'], cliEnv);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /client_secret +[A-Za-z0-9_-]{43}\n/);
      assert.match(human.stdout, /affiché une seule fois/);
      const listed = await runCli(['client', 'list', '--json'], cliEnv);
      assert.equal(listed.code, 0, listed.stderr);
      assert.doesNotMatch(listed.stdout, /"client_secret"/);
      const unknown = await runCli(['client', 'rotate-secret', 'nobody'], cliEnv);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /OIDC_CLIENT_NOT_FOUND/);
    });
  });
}
