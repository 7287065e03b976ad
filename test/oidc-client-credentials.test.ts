import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { startIdpServer } from '../src/cli/servers.ts';
import { addClient, type OidcDb } from '../src/oidc/index.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import { trustingFetch } from './support/https.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { type TestSystem, testSystem } from './support/system.ts';

const secret = 'secret-of-the-machine-client-0123456789abc';

for (const storeCase of storeCases()) {
  describe(`client credentials grant (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let server: RunningServer;
    let config: client.Configuration;

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened);
      await addClient(opened.store.db as OidcDb, {
        client_id: 'machine',
        client_name: 'Service sans utilisateur',
        client_secret: secret,
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
      });
      server = await startIdpServer(test.system, createLogger('silent'), test.ports.idp);
      config = await client.discovery(new URL(test.system.settings.idp.url), 'machine', secret, undefined, {
        [client.customFetch]: trustingFetch((await test.system.tls()).caPem) as unknown as client.CustomFetch,
      });
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
  });
}
