import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import * as client from 'openid-client';
import { startIdpServer, startMessagingServers } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import type { OutboxMessage } from '../src/messaging/index.ts';
import { createLogger } from '../src/platform/index.ts';
import { runCli } from './support/cli.ts';
import { CliSession } from './support/cli-session.ts';
import { trustingFetch } from './support/https.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

interface Notification {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** openid-client's errors carry the OAuth error code (`invalid_grant`…) as `error`. */
async function rejectsWithOAuth(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { error?: string }).error, code, String(error));
    return true;
  });
}

for (const storeCase of storeCases()) {
  describe(`CIBA in ping mode with the e-CPS CLI app (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let servers: Array<{ close(): Promise<void> }> = [];
    let notificationServer: Server;
    let notificationEndpoint: string;
    const notifications: Notification[] = [];
    let issuer: string;
    let outbox: string;
    let cliEnv: Record<string, string>;
    let config: client.Configuration;
    let defaultCas: string[];
    const walletDir = mkdtempSync(path.join(tmpdir(), 'caducee-wallet-ping-'));

    const messages = async (): Promise<OutboxMessage[]> =>
      (await (await fetch(`${outbox}/api/messages`)).json()) as OutboxMessage[];
    const wallet = (...args: string[]) => runCli(['wallet', ...args, '--wallet', walletDir], cliEnv);

    async function notificationFor(authReqId: string): Promise<Notification> {
      const started = Date.now();
      for (;;) {
        const found = notifications.find(
          (n) => (n.body as { auth_req_id?: string }).auth_req_id === authReqId,
        );
        if (found) return found;
        if (Date.now() - started > 15_000) {
          throw new Error(`no notification for ${authReqId}: ${JSON.stringify(notifications)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    before(async () => {
      opened = await storeCase.open();
      // `caducee client add`, run beside the server, shares its data directory (the key that
      // seals client secrets): on SQLite it is the store's.
      test = await testSystem(opened, {
        messaging: { catcherPort: await freePort() },
        outbox: { url: `http://localhost:${await freePort()}` },
        ...(opened.env.CADUCEE_DATA_DIR ? { dataDir: opened.env.CADUCEE_DATA_DIR } : {}),
      } as never);
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const credentials = await system.tls();

      // The client's notification endpoint. oidc-provider accepts only https for it, with no
      // setting to relax that; the test serves it with the deployment's own test certificate.
      notificationServer = createServer(
        { key: credentials.keyPem, cert: credentials.fullChainPem },
        (req, res) => {
          let data = '';
          req.on('data', (chunk) => {
            data += chunk;
          });
          req.on('end', () => {
            notifications.push({
              method: req.method ?? '',
              url: req.url ?? '',
              authorization: req.headers.authorization,
              contentType: req.headers['content-type'],
              body: JSON.parse(data || 'null'),
            });
            res.writeHead(204).end();
          });
        },
      );
      await new Promise<void>((resolve) => notificationServer.listen(0, '127.0.0.1', resolve));
      const { port } = notificationServer.address() as AddressInfo;
      notificationEndpoint = `https://127.0.0.1:${port}/ciba/notification`;
      // The provider calls it with Node's own trust store, as in production, where the client's
      // certificate comes from a public CA or the operator adds its CA with NODE_EXTRA_CA_CERTS.
      // This process trusts the test CA the same way.
      defaultCas = tls.getCACertificates('default');
      tls.setDefaultCACertificates([...defaultCas, credentials.caPem]);

      const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
      servers = [
        ...(await startMessagingServers(system, log)),
        await startIdpServer(system, log, test.ports.idp),
      ];
      issuer = system.settings.idp.url;
      outbox = system.settings.outbox.url;
      cliEnv = { CADUCEE_DATA_DIR: test.system.settings.dataDir, CADUCEE_IDP_URL: issuer };

      // Registered as an operator would, with the command the documentation gives.
      const added = await runCli(
        [
          'client',
          'add',
          '--name',
          'Logiciel CIBA ping',
          '--redirect-uri',
          'https://logiciel.example/callback',
          '--client-id',
          'rp-ciba-ping',
          '--ciba-ping',
          notificationEndpoint,
          '--json',
        ],
        { ...opened.env, CADUCEE_DATA_DIR: test.system.settings.dataDir, CADUCEE_IDP_URL: issuer },
      );
      assert.equal(added.code, 0, added.stderr);
      const registered = JSON.parse(added.stdout);
      assert.equal(registered.backchannel_token_delivery_mode, 'ping');
      assert.equal(registered.backchannel_client_notification_endpoint, notificationEndpoint);
      config = await client.discovery(new URL(issuer), 'rp-ciba-ping', registered.client_secret, undefined, {
        [client.customFetch]: trustingFetch(credentials.caPem) as unknown as client.CustomFetch,
      });

      // An active e-CPS for the professional, through the CLI app (e-mail link, SMS code, password).
      const requested = await wallet('request-activation', GP);
      assert.equal(requested.code, 0, requested.stderr);
      const mail = (await messages()).find((m) => m.kind === 'mail');
      const link = /(https:\S+#activer=[\w-]+)/.exec(mail!.text)![1]!;
      const session = new CliSession(['wallet', 'activate', link, '--wallet', walletDir], cliEnv);
      await session.waitFor(/Code reçu par SMS :/);
      const sms = (await messages()).find((m) => m.kind === 'sms');
      session.answer(/(\d{6})/.exec(sms!.text)![1]!);
      await session.waitFor(/Choisissez votre mot de passe/);
      session.answer('1357');
      session.answer('1357');
      assert.equal(await session.exitedWithin(30_000), 0, session.stderr);
    });

    after(async () => {
      if (defaultCas) tls.setDefaultCACertificates(defaultCas);
      for (const server of servers) await server.close();
      await new Promise((resolve) => {
        notificationServer?.close(resolve);
        notificationServer?.closeAllConnections();
      });
      test?.dispose();
      await opened?.dispose();
    });

    it('refuses a ping request without a client_notification_token', async () => {
      await rejectsWithOAuth(
        client.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: GP }),
        'invalid_request',
      );
    });

    it('notifies the client with its bearer token once the app approves, then gives tokens for the auth_req_id', async () => {
      const notificationToken = randomBytes(24).toString('base64url');
      const started = await client.initiateBackchannelAuthentication(config, {
        scope: 'openid scope_all',
        login_hint: GP,
        binding_message: 'Connexion LGC 7310',
        acr_values: 'eidas1',
        client_notification_token: notificationToken,
      });
      assert.ok(started.auth_req_id);
      // Nothing to fetch before the notification.
      await rejectsWithOAuth(
        client.genericGrantRequest(config, CIBA_GRANT, { auth_req_id: started.auth_req_id }),
        'authorization_pending',
      );
      assert.equal(notifications.length, 0);

      const approved = await wallet('approve', '--pin', '1357');
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(
        approved.stderr,
        /Demande de connexion à Logiciel CIBA ping\nMessage : Connexion LGC 7310/,
      );

      const notification = await notificationFor(started.auth_req_id);
      assert.deepEqual(notification, {
        method: 'POST',
        url: '/ciba/notification',
        authorization: `Bearer ${notificationToken}`,
        contentType: 'application/json',
        body: { auth_req_id: started.auth_req_id },
      });

      const tokens = await client.genericGrantRequest(config, CIBA_GRANT, {
        auth_req_id: started.auth_req_id,
      });
      const idToken = tokens.claims()!;
      assert.equal(idToken.preferred_username, GP);
      assert.equal(idToken.acr, 'eidas1');
      assert.deepEqual(idToken.amr, ['mfa', 'hwk', 'pin']);
      assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, true);
      // The auth_req_id serves once.
      await rejectsWithOAuth(
        client.genericGrantRequest(config, CIBA_GRANT, { auth_req_id: started.auth_req_id }),
        'invalid_grant',
      );
    });

    it('notifies a refusal too, which the client then reads as access_denied', async () => {
      const notificationToken = randomBytes(24).toString('base64url');
      const started = await client.initiateBackchannelAuthentication(config, {
        scope: 'openid',
        login_hint: GP,
        binding_message: 'Refus',
        client_notification_token: notificationToken,
      });
      const denied = await wallet('approve', '--deny');
      assert.equal(denied.code, 0, denied.stderr);
      const notification = await notificationFor(started.auth_req_id);
      assert.equal(notification.authorization, `Bearer ${notificationToken}`);
      await rejectsWithOAuth(
        client.genericGrantRequest(config, CIBA_GRANT, { auth_req_id: started.auth_req_id }),
        'access_denied',
      );
    });
  });
}
