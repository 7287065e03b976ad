import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCardHostServer, startIdpServer } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import type { Oidc } from '../src/oidc/index.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import { launchChromium } from './support/browser.ts';
import { registerWebClient } from './support/clients.ts';
import { trustingFetch } from './support/https.ts';
import { startTestRelyingParty, type TestRelyingParty } from './support/relying-party.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const LOGIN_LINK = 'Se connecter avec ma carte CPS';

for (const storeCase of storeCases()) {
  describe(`OpenID provider: "Je me déconnecte de toutes les sessions" (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let servers: RunningServer[] = [];
    let oidc: Oidc;
    let browser: Browser;
    let rp: TestRelyingParty;
    let issuer: string;
    let fetchTrusted: ReturnType<typeof trustingFetch>;
    let card: { pfxPath: string; passphrase: string };
    const configs: Record<string, client.Configuration> = {};
    const secret = 'secret-of-the-logout-relying-parties-0123456789';

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened);
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const dir = mkdtempSync(path.join(tmpdir(), 'caducee-logout-cards-'));
      const issued = await (await system.cards()).issue(GP, { pin: '1111', out: path.join(dir, 'gp.p12') });
      card = { pfxPath: issued.file, passphrase: '1111' };
      rp = await startTestRelyingParty();
      for (const clientId of ['rp-dossier', 'rp-agenda']) {
        await registerWebClient(system, {
          client_id: clientId,
          client_name: `Service ${clientId}`,
          client_secret: secret,
          redirect_uris: [rp.redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          backchannel_logout_uri: rp.backchannelUri,
          backchannel_logout_session_required: true,
        });
      }
      const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
      const idp = await startIdpServer(system, log, test.ports.idp);
      oidc = idp.oidc;
      servers = [idp, await startCardHostServer(system, log, test.ports.cardHost)];
      issuer = system.settings.idp.url;
      fetchTrusted = trustingFetch((await system.tls()).caPem);
      for (const clientId of ['rp-dossier', 'rp-agenda']) {
        configs[clientId] = await client.discovery(new URL(issuer), clientId, secret, undefined, {
          [client.customFetch]: fetchTrusted as unknown as client.CustomFetch,
        });
      }
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await Promise.all(servers.map((server) => server.close()));
      await rp?.close();
      test?.dispose();
      await opened?.dispose();
    });

    const newContext = (): Promise<BrowserContext> =>
      browser.newContext({
        ignoreHTTPSErrors: true,
        locale: 'fr-FR',
        clientCertificates: [{ origin: test.system.settings.cardHost.url, ...card }],
      });

    /** Card login (or single sign-on on a live session), then the code exchanged for tokens. */
    async function login(page: Page, clientId: string) {
      const config = configs[clientId]!;
      const state = client.randomState();
      await page.goto(
        client.buildAuthorizationUrl(config, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
          state,
        }).href,
      );
      if (!page.url().startsWith(rp.redirectUri)) await page.getByRole('link', { name: LOGIN_LINK }).click();
      await page.waitForURL(`${rp.redirectUri}**`);
      return client.authorizationCodeGrant(config, new URL(page.url()), { expectedState: state });
    }

    it('ends every session at the provider: back-channel logout, tokens revoked, no single sign-on', async () => {
      // Two browsers: one logged in to two services (the second by single sign-on), one to one.
      const office = await newContext();
      const officePage = await office.newPage();
      const dossier = await login(officePage, 'rp-dossier');
      const agenda = await login(officePage, 'rp-agenda');
      const home = await newContext();
      const homePage = await home.newPage();
      const dossierAtHome = await login(homePage, 'rp-dossier');
      assert.notEqual(dossier.claims()!.sid, dossierAtHome.claims()!.sid, 'two provider sessions');
      assert.ok(dossier.refresh_token);
      const dossierConfig = configs['rp-dossier']!;
      assert.equal((await client.tokenIntrospection(dossierConfig, dossier.refresh_token!)).active, true);
      const logoutsBefore = rp.logoutTokens.length;

      assert.equal(await oidc.endSessionsOf(GP), 2);

      // Each service of each session received a logout token it can verify.
      const jwks = createLocalJWKSet(
        (await (await fetchTrusted(`${issuer}/protocol/openid-connect/certs`)).json()) as JSONWebKeySet,
      );
      const received = rp.logoutTokens.slice(logoutsBefore);
      assert.equal(received.length, 3);
      const verified = await Promise.all(
        received.map(async (token) => {
          const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer });
          assert.equal(protectedHeader.typ, 'logout+jwt');
          assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
          assert.equal(payload.nonce, undefined);
          assert.ok(payload.jti);
          return { aud: payload.aud, sub: payload.sub, sid: payload.sid };
        }),
      );
      const expected = [
        ['rp-dossier', dossier],
        ['rp-agenda', agenda],
        ['rp-dossier', dossierAtHome],
      ] as const;
      const key = (entry: { aud?: unknown; sid?: unknown }) => `${entry.aud} ${entry.sid}`;
      assert.deepEqual(
        verified.map(key).sort(),
        expected.map(([aud, tokens]) => key({ aud, sid: tokens.claims()!.sid })).sort(),
      );
      for (const entry of verified) assert.equal(entry.sub, dossier.claims()!.sub);

      // Refresh and access tokens of those sessions are dead.
      for (const [clientId, tokens] of expected) {
        const config = configs[clientId]!;
        assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
        assert.equal((await client.tokenIntrospection(config, tokens.refresh_token!)).active, false);
      }
      await assert.rejects(
        client.refreshTokenGrant(dossierConfig, dossier.refresh_token!),
        (error: unknown) => {
          assert.equal((error as { error?: string }).error, 'invalid_grant');
          return true;
        },
      );

      // No single sign-on any more: a new authorization request shows the login page.
      for (const page of [officePage, homePage]) {
        await page.goto(
          client.buildAuthorizationUrl(dossierConfig, { redirect_uri: rp.redirectUri, scope: 'openid' }).href,
        );
        await page.getByRole('link', { name: LOGIN_LINK }).waitFor();
        assert.ok(!page.url().startsWith(rp.redirectUri));
      }
      // …and logging in again works.
      const again = await login(officePage, 'rp-dossier');
      assert.equal((await client.tokenIntrospection(dossierConfig, again.access_token)).active, true);

      const [event] = await test.system.audit.list({ type: 'oidc.logout_all' });
      assert.equal(event?.actor, GP);
      assert.deepEqual(event?.details, {
        sessions: 2,
        grants: 3,
        notified: ['rp-agenda', 'rp-dossier', 'rp-dossier'],
        notificationFailures: [],
      });
      await office.close();
      await home.close();
    });
  });
}
