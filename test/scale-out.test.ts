import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCardHostServer, startIdpServer, startMessagingServers } from '../src/cli/servers.ts';
import { buildSystem, type System } from '../src/cli/system.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import type { OutboxMessage } from '../src/messaging/index.ts';
import { KEYS_ROTATED, type OidcDb, rotateSigningKeys } from '../src/oidc/index.ts';
import { createLogger, openPostgresStore, openRedis, type RunningServer } from '../src/platform/index.ts';
import { WalletClient } from '../src/wallet/index.ts';
import { type Balancer, startBalancer } from './support/balancer.ts';
import { launchChromium } from './support/browser.ts';
import { runCli } from './support/cli.ts';
import { registerCibaClient, registerWebClient } from './support/clients.ts';
import { trustingFetch } from './support/https.ts';
import { startTestRelyingParty, type TestRelyingParty } from './support/relying-party.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const HOSPITAL_DOCTOR = '899760000028';
const redisUrl = process.env.CADUCEE_TEST_REDIS_URL;
const postgres = storeCases().find((storeCase) => storeCase.kind === 'postgres');
if (process.env.CADUCEE_TEST_REQUIRE_PG === '1' && !redisUrl)
  throw new Error('CADUCEE_TEST_REQUIRE_PG=1 but CADUCEE_TEST_REDIS_URL is not set');

/**
 * Two provider nodes (and two card hosts) on PostgreSQL + Redis behind a TCP balancer, as a
 * national deployment runs: a login begun on one node completes on the other for each means, a
 * key rotated on one is used and published by both, and a stopped node loses nothing completed.
 */
describe('scale-out: two nodes on PostgreSQL + Redis', {
  skip: !(postgres && redisUrl) && 'needs CADUCEE_TEST_DATABASE_URL and CADUCEE_TEST_REDIS_URL',
}, () => {
  let opened: OpenedStore;
  let test: TestSystem;
  let nodeB: System;
  let idp: Balancer;
  let cardHost: Balancer;
  const ports = { a: 0, b: 0, cardA: 0, cardB: 0 };
  const servers: Record<string, RunningServer> = {};
  let messaging: RunningServer[] = [];
  let browser: Browser;
  let rp: TestRelyingParty;
  let issuer: string;
  let outbox: string;
  let caPem: string;
  let card: { pfxPath: string; passphrase: string };
  const secret = 'secret-of-the-scale-out-relying-party-012345';
  const redis = redisUrl ? openRedis(redisUrl) : undefined;
  const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');

  /** The relying party's view, with its requests sent to one node directly or through the balancer. */
  const configFor = async (clientId: string, port?: number) =>
    client.discovery(new URL(issuer), clientId, secret, undefined, {
      [client.customFetch]: viaPort(port) as unknown as client.CustomFetch,
    });
  /** Fetch to the issuer's URLs, delivered to the node at `port` (the balancer when absent). */
  const viaPort = (port?: number) => {
    const fetchTrusted = trustingFetch(caPem);
    return (url: string | URL, init?: Record<string, unknown>) => {
      const target = new URL(String(url));
      if (port && target.port === String(idp.port)) target.port = String(port);
      return fetchTrusted(target, init);
    };
  };
  const messages = async (): Promise<OutboxMessage[]> =>
    (await (await fetch(`${outbox}/api/messages`)).json()) as OutboxMessage[];

  /** The phone's app, its calls reaching the node at `port` (signed for the issuer's URL). */
  const phone = new WalletClient({ server: '' }, (url, init) => viaPort(phoneNode.port)(url, init) as never);
  const phoneNode = { port: 0 };

  const contextWithCard = (): Promise<BrowserContext> =>
    browser.newContext({
      ignoreHTTPSErrors: true,
      locale: 'fr-FR',
      clientCertificates: [{ origin: `https://localhost:${cardHost.port}`, ...card }],
    });

  async function authorize(page: Page, clientConfig: client.Configuration, state: string) {
    await page.goto(
      client.buildAuthorizationUrl(clientConfig, {
        redirect_uri: rp.redirectUri,
        scope: 'openid scope_all',
        acr_values: 'eidas1',
        state,
      }).href,
    );
  }

  before(async () => {
    opened = await postgres!.open();
    ports.a = await freePort();
    ports.b = await freePort();
    ports.cardA = await freePort();
    ports.cardB = await freePort();
    idp = await startBalancer(ports.a);
    cardHost = await startBalancer(ports.cardA);
    const catcherPort = await freePort();
    const outboxPort = await freePort();
    test = await testSystem(opened, {
      redisUrl,
      idp: { url: `https://localhost:${idp.port}` },
      cardHost: { url: `https://localhost:${cardHost.port}` },
      messaging: { catcherPort },
      outbox: { url: `http://localhost:${outboxPort}` },
    } as never);
    const nodeA = test.system;
    // Node B: its own connection pool and Redis connections, the same database, secrets and PKI.
    // The same schema, through the URL a node would be given (its search_path option).
    nodeB = buildSystem(nodeA.settings, openPostgresStore(opened.env.CADUCEE_DATABASE_URL!));
    await loadDemoDirectoryIfEmpty(nodeA.directory);
    const dir = mkdtempSync(path.join(tmpdir(), 'caducee-scale-cards-'));
    const issued = await (await nodeA.cards()).issue(GP, { pin: '1593', out: path.join(dir, 'gp.p12') });
    card = { pfxPath: issued.file, passphrase: '1593' };
    rp = await startTestRelyingParty();
    await registerWebClient(nodeA, {
      client_id: 'rp-scale',
      client_name: 'Service national',
      client_secret: secret,
      redirect_uris: [rp.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    await registerCibaClient(nodeA, {
      client_id: 'rp-scale-ciba',
      client_name: 'Service CIBA national',
      client_secret: secret,
      redirect_uris: [rp.redirectUri],
    });
    messaging = await startMessagingServers(nodeA, log);
    servers.a = await startIdpServer(nodeA, log, ports.a);
    servers.b = await startIdpServer(nodeB, log, ports.b);
    servers.cardA = await startCardHostServer(nodeA, log, ports.cardA);
    servers.cardB = await startCardHostServer(nodeB, log, ports.cardB);
    issuer = nodeA.settings.idp.url;
    outbox = nodeA.settings.outbox.url;
    caPem = (await nodeA.tls()).caPem;
    phone.state.server = issuer;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const server of [...Object.values(servers), ...messaging])
      await server.close().catch(() => undefined);
    await rp?.close();
    await idp?.close();
    await cardHost?.close();
    await nodeB?.close();
    // Node A shares the test's store, closed by dispose(); its Redis connections close here.
    await test?.system.events().close();
    test?.system.redis()?.disconnect();
    redis?.disconnect();
    test?.dispose();
    await opened?.dispose();
  });

  it('keeps the short-lived provider state in Redis and the durable data in PostgreSQL', async () => {
    const context = await contextWithCard();
    const page = await context.newPage();
    await authorize(page, await configFor('rp-scale'), client.randomState());
    const uid = new URL(page.url()).pathname.split('/').at(-1)!;
    assert.ok(await redis!.exists(`caducee:oidc:Interaction:${uid}`), 'the interaction is in Redis');
    const inStore = await (opened.store.db as OidcDb)
      .selectFrom('oidc_payload')
      .select('id')
      .where('model', '=', 'Interaction')
      .execute();
    assert.equal(inStore.length, 0, 'and not in PostgreSQL');
    await context.close();
  });

  it('completes on node B a card login begun on node A', async () => {
    idp.route(ports.a);
    cardHost.route(ports.cardA);
    const config = await configFor('rp-scale');
    const context = await contextWithCard();
    const page = await context.newPage();
    const state = client.randomState();
    await authorize(page, config, state);
    await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).waitFor();
    // The login page came from A; everything after it is served by B (and the other card host).
    idp.route(ports.b);
    cardHost.route(ports.cardB);
    await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
    await page.waitForURL(`${rp.redirectUri}**`);
    const tokens = await client.authorizationCodeGrant(
      await configFor('rp-scale', ports.b),
      new URL(page.url()),
      {
        expectedState: state,
      },
    );
    assert.equal(tokens.claims()?.preferred_username, GP);
    assert.deepEqual(tokens.claims()?.amr, ['sc', 'pin']);
    await context.close();
  });

  it('completes on node A an e-CPS login approved on node B, and a CIBA request made on A approved on B', async () => {
    // Activation through node A.
    idp.route(ports.a);
    phoneNode.port = ports.a;
    await phone.sendActivationEmail(HOSPITAL_DOCTOR);
    const mail = (await messages()).find(
      (m) => m.kind === 'mail' && m.subject === 'Activation de votre e-CPS',
    );
    await phone.startActivation(/(https:\S+#activer=[\w-]+)/.exec(mail!.text)![1]!, {
      name: 'Téléphone',
      model: 'test',
      os: 'test',
      appVersion: '0',
    });
    const sms = (await messages()).find((m) => m.kind === 'sms');
    await phone.confirmCode(/(\d{6})/.exec(sms!.text)![1]!);
    await phone.choosePin('2580');

    // The browser waits on A; the phone's approval reaches B.
    const config = await configFor('rp-scale');
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
    const page = await context.newPage();
    const state = client.randomState();
    await authorize(page, config, state);
    await page.getByLabel('Identifiant national (8 + RPPS ou 0 + ADELI)').fill(HOSPITAL_DOCTOR);
    await page.getByRole('button', { name: "Se connecter avec l'application e-CPS" }).click();
    const code = (await page.getByTestId('code-dynamique').innerText()).trim();
    phoneNode.port = ports.b;
    const [request] = await phone.pending();
    await phone.approve(request!.id, { code, pin: '2580' });
    await page.waitForURL(`${rp.redirectUri}**`);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { expectedState: state });
    assert.equal(tokens.claims()?.preferred_username, HOSPITAL_DOCTOR);
    await context.close();

    // CIBA: asked of A, approved on B, the token fetched from A.
    const ciba = await configFor('rp-scale-ciba', ports.a);
    const started = await client.initiateBackchannelAuthentication(ciba, {
      scope: 'openid scope_all',
      login_hint: HOSPITAL_DOCTOR,
      binding_message: 'Noeud B',
    });
    const [cibaRequest] = await phone.pending();
    assert.equal(cibaRequest?.bindingMessage, 'Noeud B');
    await phone.approve(cibaRequest!.id, { pin: '2580' });
    const cibaTokens = await client.pollBackchannelAuthenticationGrant(ciba, started);
    assert.equal(cibaTokens.claims()?.preferred_username, HOSPITAL_DOCTOR);
  });

  it('uses and publishes on both nodes a key rotated on one of them, at once', async () => {
    const before = await (await viaPort(ports.b)(`${issuer}/protocol/openid-connect/certs`)).json();
    const rotated = await rotateSigningKeys(opened.store.db as OidcDb);
    await test.system.events().publish(KEYS_ROTATED, { at: new Date().toISOString() });
    const fresh = rotated.filter((key) => !key.retiredAt).map((key) => key.kid);
    // Well under the nodes' own periodic check (5 s): the event did it.
    const deadline = Date.now() + 2000;
    for (const port of [ports.a, ports.b]) {
      for (;;) {
        const jwks = (await (await viaPort(port)(`${issuer}/protocol/openid-connect/certs`)).json()) as {
          keys: Array<{ kid: string }>;
        };
        if (fresh.every((kid) => jwks.keys.some((key) => key.kid === kid))) break;
        assert.ok(Date.now() < deadline, `node on ${port} did not publish the new keys in time`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    assert.notDeepEqual(before, undefined);
    // A token signed by B after the rotation uses a new key, which A publishes.
    idp.route(ports.b);
    cardHost.route(ports.cardB);
    const context = await contextWithCard();
    const page = await context.newPage();
    const state = client.randomState();
    const config = await configFor('rp-scale', ports.b);
    await authorize(page, config, state);
    await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
    await page.waitForURL(`${rp.redirectUri}**`);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { expectedState: state });
    assert.ok(fresh.includes(String(decodeProtectedHeader(tokens.id_token!).kid)));
    await context.close();
  });

  it('loses no completed login when node A stops; node B serves the next ones', async () => {
    idp.route(ports.a);
    cardHost.route(ports.cardA);
    const configA = await configFor('rp-scale', ports.a);
    const context = await contextWithCard();
    const page = await context.newPage();
    const state = client.randomState();
    await authorize(page, configA, state);
    await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
    await page.waitForURL(`${rp.redirectUri}**`);
    const tokens = await client.authorizationCodeGrant(configA, new URL(page.url()), {
      expectedState: state,
    });

    await servers.a!.close();
    await servers.cardA!.close();
    idp.route(ports.b);
    cardHost.route(ports.cardB);
    const configB = await configFor('rp-scale', ports.b);
    const userinfo = await client.fetchUserInfo(configB, tokens.access_token, tokens.claims()!.sub);
    assert.equal(userinfo.preferred_username, GP);
    const refreshed = await client.refreshTokenGrant(configB, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    // The browser's provider session (in Redis) lives on: B signs it in again without the card.
    const next = client.randomState();
    await authorize(page, configB, next);
    await page.waitForURL(`${rp.redirectUri}**`);
    const again = await client.authorizationCodeGrant(configB, new URL(page.url()), { expectedState: next });
    assert.equal(again.claims()?.preferred_username, GP);
    await context.close();
  });

  it('ends the sessions (in Redis) and refresh tokens of a card that `caducee card revoke` puts in opposition; every card host refuses it', async () => {
    idp.route(ports.b);
    cardHost.route(ports.cardB);
    const config = await configFor('rp-scale', ports.b);
    const context = await contextWithCard();
    const page = await context.newPage();
    const state = client.randomState();
    await authorize(page, config, state);
    await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
    await page.waitForURL(`${rp.redirectUri}**`);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), { expectedState: state });
    const sessionsKey = `caducee:oidc:account-sessions:${tokens.claims()!.sub}`;
    const sessions = await redis!.smembers(sessionsKey);
    assert.ok(sessions.length >= 1);

    // The operator's command on another machine of the deployment: its settings, no server.
    const nodeA = test.system.settings;
    const revoked = await runCli(['card', 'revoke', GP], {
      CADUCEE_DATABASE_URL: opened.env.CADUCEE_DATABASE_URL!,
      CADUCEE_REDIS_URL: redisUrl!,
      CADUCEE_DATA_DIR: nodeA.dataDir,
      CADUCEE_IDP_URL: nodeA.idp.url,
      CADUCEE_CARD_HOST_URL: nodeA.cardHost.url,
    });
    assert.equal(revoked.code, 0, revoked.stderr);
    for (const id of sessions)
      assert.equal(await redis!.exists(`caducee:oidc:Session:${id}`), 0, 'session ended');
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: unknown) => {
      assert.equal((error as { error?: string }).error, 'invalid_grant');
      return true;
    });
    const next = client.randomState();
    await authorize(page, config, next);
    assert.ok(
      await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).isVisible(),
      'no single sign-on: the login page again',
    );
    await context.close();
    // The opposition is in the shared registry: each card host refuses the card at once (node A's,
    // stopped by the test above, back with the same settings).
    servers.cardA = await startCardHostServer(test.system, log, ports.cardA);
    for (const port of [ports.cardA, ports.cardB]) {
      cardHost.route(port);
      const retry = await contextWithCard();
      const retryPage = await retry.newPage();
      await authorize(retryPage, config, client.randomState());
      await retryPage.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      await retryPage.getByRole('alert').waitFor();
      const alert = await retryPage.getByRole('alert').innerText();
      assert.match(alert, /mise en opposition/, `card host on port ${port}`);
      assert.match(alert, /CARD_REVOKED/, `card host on port ${port}`);
      await retry.close();
    }
  });
});
