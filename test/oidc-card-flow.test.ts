import assert from 'node:assert/strict';
import type { webcrypto } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCardHostServer, startIdpServer } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import { type Oidc, type OidcDb, rotateSigningKeys } from '../src/oidc/index.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import { accessibilityViolations } from './support/accessibility.ts';
import { launchChromium } from './support/browser.ts';
import { runCli } from './support/cli.ts';
import { registerWebClient } from './support/clients.ts';
import { trustingFetch } from './support/https.ts';
import { startTestRelyingParty, type TestRelyingParty } from './support/relying-party.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const HOSPITAL_DOCTOR = '899760000028';
const PHARMACIST = '899760000036';

/** openid-client's errors carry the OAuth error code (`invalid_grant`…) as `error`. */
async function rejectsWithOAuth(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as { error?: string }).error, code, String(error));
    return true;
  });
}

for (const storeCase of storeCases()) {
  describe(`OpenID provider: card login for a PSC relying party (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let servers: RunningServer[] = [];
    let browser: Browser;
    let rp: TestRelyingParty;
    let issuer: string;
    let fetchTrusted: ReturnType<typeof trustingFetch>;
    let config: client.Configuration;
    const cards: Record<string, { pfxPath: string; passphrase: string }> = {};
    const serials: Record<string, string> = {};
    const secret = 'secret-of-the-test-relying-party-0123456789';
    let jwtClientKey: webcrypto.CryptoKey;

    const discover = (clientId: string, clientSecret?: string, auth?: client.ClientAuth) =>
      client.discovery(new URL(issuer), clientId, clientSecret, auth, {
        [client.customFetch]: fetchTrusted as unknown as client.CustomFetch,
      });

    const contextFor = (idnat: string): Promise<BrowserContext> =>
      browser.newContext({
        ignoreHTTPSErrors: true,
        locale: 'fr-FR',
        clientCertificates: [{ origin: test.system.settings.cardHost.url, ...cards[idnat]! }],
      });

    /** Authorization request → login page → "Carte CPS" → card host → back to the RP with a code. */
    async function cardLogin(page: Page, parameters: Record<string, string>) {
      const url = client.buildAuthorizationUrl(config, parameters);
      await page.goto(url.href);
      // Single sign-on: with a live provider session the browser comes straight back.
      if (!page.url().startsWith(rp.redirectUri)) {
        await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      }
      await page.waitForURL(`${rp.redirectUri}**`);
      return new URL(page.url());
    }

    async function pkce() {
      const verifier = client.randomPKCECodeVerifier();
      return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
    }

    /** A complete card login (code flow, PKCE); the callback and its checks come back for replays. */
    async function cardLoginTokens(page: Page) {
      const { verifier, challenge } = await pkce();
      const state = client.randomState();
      const callback = await cardLogin(page, {
        redirect_uri: rp.redirectUri,
        scope: 'openid scope_all',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      });
      const checks = { pkceCodeVerifier: verifier, expectedState: state };
      const tokens = await client.authorizationCodeGrant(config, callback, checks);
      return { tokens, callback, checks };
    }

    before(async () => {
      opened = await storeCase.open();
      // A command run beside the server (`caducee card revoke`) shares its data directory (PKI,
      // keys): on SQLite it is the store's.
      test = await testSystem(opened, {
        oidc: { authorizationCodeTtl: 10 },
        ...(opened.env.CADUCEE_DATA_DIR ? { dataDir: opened.env.CADUCEE_DATA_DIR } : {}),
      });
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const dir = mkdtempSync(path.join(tmpdir(), 'caducee-oidc-cards-'));
      for (const [index, idnat] of [GP, HOSPITAL_DOCTOR, PHARMACIST].entries()) {
        const pin = `${index + 1}${index + 1}${index + 1}${index + 1}`;
        const card = await (await system.cards()).issue(idnat, { pin, out: path.join(dir, `${idnat}.p12`) });
        cards[idnat] = { pfxPath: card.file, passphrase: pin };
        serials[idnat] = card.serial;
      }
      rp = await startTestRelyingParty();
      await registerWebClient(system, {
        client_id: 'rp-confidential',
        client_name: 'Service de test',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
        post_logout_redirect_uris: [rp.postLogoutUri],
        grant_types: ['authorization_code', 'refresh_token'],
        backchannel_logout_uri: rp.backchannelUri,
        backchannel_logout_session_required: true,
      });
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      jwtClientKey = privateKey;
      await registerWebClient(system, {
        client_id: 'rp-jwt',
        client_name: 'Service authentifié par JWT',
        redirect_uris: [rp.redirectUri],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'rp-jwt-1', alg: 'ES256', use: 'sig' }] },
        userinfo_signed_response_alg: 'RS256',
      });
      await registerWebClient(system, {
        client_id: 'rp-post',
        client_name: 'Service client_secret_post',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
      });
      await registerWebClient(system, {
        client_id: 'rp-public',
        client_name: 'Application publique de test',
        redirect_uris: [rp.redirectUri],
        token_endpoint_auth_method: 'none',
      });
      const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
      servers = [
        await startIdpServer(system, log, test.ports.idp),
        await startCardHostServer(system, log, test.ports.cardHost),
      ];
      issuer = system.settings.idp.url;
      fetchTrusted = trustingFetch((await system.tls()).caPem);
      config = await discover('rp-confidential', secret);
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await Promise.all(servers.map((server) => server.close()));
      await rp?.close();
      test?.dispose();
      await opened?.dispose();
    });

    it('serves PSC discovery: standard and wallet documents, Keycloak paths, PSC scopes and acr', async () => {
      const standard = await (await fetchTrusted(`${issuer}/.well-known/openid-configuration`)).json();
      const wallet = await (await fetchTrusted(`${issuer}/.well-known/wallet-openid-configuration`)).json();
      assert.deepEqual(wallet, standard);
      assert.equal(standard.issuer, issuer);
      assert.equal(standard.token_endpoint, `${issuer}/protocol/openid-connect/token`);
      assert.equal(standard.authorization_endpoint, `${issuer}/protocol/openid-connect/auth`);
      assert.equal(standard.userinfo_endpoint, `${issuer}/protocol/openid-connect/userinfo`);
      assert.equal(standard.end_session_endpoint, `${issuer}/protocol/openid-connect/logout`);
      assert.equal(standard.introspection_endpoint, `${issuer}/protocol/openid-connect/token/introspect`);
      assert.equal(standard.revocation_endpoint, `${issuer}/protocol/openid-connect/revoke`);
      for (const scope of ['openid', 'scope_all', 'profile', 'email', 'offline_access'])
        assert.ok(standard.scopes_supported.includes(scope), scope);
      assert.deepEqual(standard.acr_values_supported, ['eidas1']);
      assert.deepEqual(standard.code_challenge_methods_supported, ['S256']);
      for (const method of ['client_secret_basic', 'client_secret_post', 'private_key_jwt']) {
        assert.ok(standard.token_endpoint_auth_methods_supported.includes(method), method);
      }
      assert.ok(standard.backchannel_logout_supported);
      const jwks = await (await fetchTrusted(standard.jwks_uri)).json();
      assert.deepEqual(jwks.keys.map((k: { alg: string }) => k.alg).sort(), ['ES256', 'RS256']);
      assert.ok(
        jwks.keys.every((k: { d?: string }) => k.d === undefined),
        'no private parts published',
      );
    });

    it("gives the provider's own responses (discovery, keys, token, errors, logout) the security headers of our pages", async () => {
      // Our pages' headers on this same origin (Hono's secureHeaders): the provider's must match.
      const ours = await fetchTrusted(`${issuer}/health/live`);
      const generic = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
      const expected = [...ours.headers].filter(([name]) => !generic.has(name));
      for (const name of ['content-security-policy', 'strict-transport-security', 'x-content-type-options'])
        assert.ok(
          expected.some(([header]) => header === name),
          name,
        );
      // frame-ancestors aside, for browsers that only know the older header (clickjacking).
      assert.equal(ours.headers.get('x-frame-options'), 'SAMEORIGIN');
      const oursCsp = directives(ours.headers.get('content-security-policy')!);
      assert.deepEqual(oursCsp.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(oursCsp.get('form-action'), ["'self'"]);
      const rpOrigin = new URL(rp.redirectUri).origin;
      const basic = `Basic ${Buffer.from(`rp-confidential:${secret}`).toString('base64')}`;
      const logoutOf = (query: string) => fetchTrusted(`${issuer}/protocol/openid-connect/logout${query}`);
      const responses = {
        discovery: await fetchTrusted(`${issuer}/.well-known/openid-configuration`),
        wallet: await fetchTrusted(`${issuer}/.well-known/wallet-openid-configuration`),
        keys: await fetchTrusted(`${issuer}/protocol/openid-connect/certs`),
        token: await fetchTrusted(`${issuer}/protocol/openid-connect/token`, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=authorization_code&code=unknown&redirect_uri=x',
        }),
        errorPage: await fetchTrusted(`${issuer}/protocol/openid-connect/auth?client_id=nobody`),
        unknownPath: await fetchTrusted(`${issuer}/protocol/openid-connect/nothing-here`),
        logout: await logoutOf(''),
        clientLogout: await logoutOf(
          `?client_id=rp-confidential&post_logout_redirect_uri=${encodeURIComponent(rp.postLogoutUri)}`,
        ),
      };
      assert.equal(responses.token.status, 400);
      assert.equal((await responses.token.json()).error, 'invalid_grant');
      assert.equal(responses.errorPage.status, 400);
      // Without a session oidc-provider confirms the logout itself: a page whose inline script
      // posts its form.
      assert.match(await responses.clientLogout.text(), /<script>/);
      for (const [what, response] of Object.entries(responses)) {
        for (const [name, value] of expected) {
          if (name !== 'content-security-policy')
            assert.equal(response.headers.get(name), value, `${what}: ${name}`);
        }
        const csp = directives(response.headers.get('content-security-policy') ?? '');
        assert.deepEqual([...csp.keys()], [...oursCsp.keys()], what);
        for (const [name, sources] of oursCsp) {
          const actual = csp.get(name)!;
          if (name === 'script-src') {
            // oidc-provider may allow its own inline script by hash, never 'unsafe-inline'.
            assert.deepEqual(actual.slice(0, sources.length), sources, what);
            assert.ok(
              actual.slice(sources.length).every((source) => /^'sha256-[A-Za-z0-9+/=]+'$/.test(source)),
              what,
            );
          } else if (name === 'form-action' && what === 'clientLogout') {
            // A client's page may end at that client's registered origin, and at no other.
            assert.deepEqual(actual, [...sources, rpOrigin], what);
          } else assert.deepEqual(actual, sources, `${what}: ${name}`);
        }
      }
      assert.equal(responses.errorPage.headers.get('x-frame-options'), 'SAMEORIGIN');

      function directives(csp: string) {
        return new Map(
          csp
            .split(';')
            .map((directive) => directive.trim().split(/\s+/))
            .filter(([name]) => name)
            .map(([name, ...sources]) => [name!, sources]),
        );
      }
    });

    it('answers with response_mode=form_post in a browser: its inline script runs under the CSP by hash and the form reaches the relying party', async () => {
      const context = await contextFor(GP);
      const page = await context.newPage();
      const providerPages: Array<{ url: string; csp: string }> = [];
      page.on('response', (response) => {
        const headers = response.headers();
        if (
          response.url().startsWith(`${issuer}/protocol/openid-connect/`) &&
          /html/.test(headers['content-type'] ?? '')
        )
          providerPages.push({ url: response.url(), csp: headers['content-security-policy'] ?? '' });
      });
      const posted = rp.formPosts.length;
      const { verifier, challenge } = await pkce();
      const state = client.randomState();
      await cardLogin(page, {
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        response_mode: 'form_post',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      });
      assert.equal(rp.formPosts.length, posted + 1, 'the browser posted the response to the relying party');
      const body = rp.formPosts.at(-1)!;
      assert.equal(body.get('state'), state);
      assert.ok(body.get('code'));
      const formPage = providerPages.at(-1)!;
      assert.ok(formPage, 'the form_post page came from the provider');
      // No 'unsafe-inline': the one inline script is allowed by its hash, the form by the origin.
      assert.doesNotMatch(formPage.csp, /unsafe-inline/);
      assert.match(formPage.csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
      assert.match(formPage.csp, new RegExp(`form-action 'self' ${new URL(rp.redirectUri).origin}(;|$)`));
      assert.match(formPage.csp, /frame-ancestors 'none'/);
      const tokens = await client.authorizationCodeGrant(config, new URL(`${rp.redirectUri}?${body}`), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      assert.ok(tokens.access_token);
      await context.close();
    });

    for (const [idnat, profession, check] of [
      [GP, '10', (pro: PscExercice) => assert.equal(pro.codeSavoirFaire, 'SM54')],
      [
        HOSPITAL_DOCTOR,
        '10',
        (pro: PscExercice) => assert.equal(pro.activities[0]?.codeSecteurDactivite, 'SA01'),
      ],
      [PHARMACIST, '21', (pro: PscExercice) => assert.equal(pro.activities[0]?.codeSectionPharmacien, 'A')],
    ] as const) {
      it(`logs ${idnat} in with the card and returns PSC claims (${profession})`, async () => {
        const context = await contextFor(idnat);
        const page = await context.newPage();
        const [lastLogin] = await test.system.audit.list({ type: 'oidc.login', limit: 1 });
        const { verifier, challenge } = await pkce();
        const state = client.randomState();
        const nonce = client.randomNonce();
        const callback = await cardLogin(page, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
          acr_values: 'eidas1',
          code_challenge: challenge,
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        // The login itself is audited: who, through which service, by which means, from where.
        const [login] = await test.system.audit.list({ type: 'oidc.login', limit: 1 });
        assert.ok(Number(login?.seq) > Number(lastLogin?.seq ?? 0), 'a new oidc.login event');
        assert.deepEqual(
          [login?.outcome, login?.method, login?.actor, login?.subject, login?.ip],
          ['success', 'card', idnat, 'rp-confidential', '127.0.0.1'],
        );
        const tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        });
        const idToken = tokens.claims()!;
        assert.equal(
          idToken.sub,
          `f:${servers[0] && (servers[0] as { oidc?: { deploymentId: string } }).oidc?.deploymentId}:${idnat}`,
        );
        assert.equal(idToken.acr, 'eidas1');
        assert.deepEqual(idToken.amr, ['sc', 'pin']);
        assert.equal(idToken.preferred_username, idnat);
        assert.equal(idToken.aud, 'rp-confidential');
        const userinfo = (await client.fetchUserInfo(
          config,
          tokens.access_token,
          idToken.sub,
        )) as unknown as PscUserinfoShape;
        assert.equal(userinfo.preferred_username, idnat);
        assert.equal(userinfo.SubjectNameID, idnat);
        assert.equal(userinfo.SubjectRole[0], `${profession}^1.2.250.1.71.1.2.7`);
        const exercice = userinfo.SubjectRefPro.exercices[0]!;
        assert.equal(exercice.codeProfession, profession);
        assert.ok(exercice.activities.length >= 1);
        check(exercice);
        assert.ok(tokens.refresh_token, 'scope_all gives a refresh token, as PSC relying parties refresh');
        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
        assert.ok(refreshed.access_token);
        const introspection = await client.tokenIntrospection(config, refreshed.access_token);
        assert.equal(introspection.active, true);
        assert.equal(introspection.sub, idToken.sub);
        await context.close();
      });
    }

    it('rotates signing keys without a restart: new tokens use the new key, the old one stays published', async () => {
      const before = await (await fetchTrusted(`${issuer}/protocol/openid-connect/certs`)).json();
      const oldKids = before.keys.map((k: { kid: string }) => k.kid);
      await rotateSigningKeys(opened.store.db as OidcDb);
      await (servers[0] as unknown as { oidc: Oidc }).oidc.holder.refresh(true);
      const after = await (await fetchTrusted(`${issuer}/protocol/openid-connect/certs`)).json();
      const kids = after.keys.map((k: { kid: string }) => k.kid);
      assert.equal(kids.length, 4, 'two new keys, two retired ones still published');
      for (const kid of oldKids) assert.ok(kids.includes(kid));
      const context = await contextFor(GP);
      const page = await context.newPage();
      const { verifier, challenge } = await pkce();
      const state = client.randomState();
      const callback = await cardLogin(page, {
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      });
      // A fresh discovery (with the new JWKS) validates the new ID token.
      const fresh = await discover('rp-confidential', secret);
      const tokens = await client.authorizationCodeGrant(fresh, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString());
      assert.equal(header.alg, 'ES256');
      assert.ok(!oldKids.includes(header.kid), 'signed with the new key');
      assert.ok(kids.includes(header.kid));
      await context.close();
    });

    it('shows login and error pages that pass the WCAG 2.1 AA checks of axe-core and work with the keyboard', async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.goto(
        client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid scope_all' })
          .href,
      );
      assert.equal(await page.getAttribute('html', 'lang'), 'fr');
      assert.deepEqual(await accessibilityViolations(page), []);
      // Keyboard: the skip link comes first, then the card button is reachable and has focus styles.
      await page.keyboard.press('Tab');
      assert.equal(
        await page.evaluate(() => (globalThis as any).document.activeElement?.textContent),
        'Aller au contenu',
      );
      await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).focus();
      await page.keyboard.press('Enter');
      // No card in this browser: the card host's refusal page.
      await page.getByRole('alert').waitFor();
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByRole('link', { name: 'Revenir au service' }).click();
      assert.match(await page.getByRole('alert').innerText(), /La connexion par carte CPS n'a pas abouti/);
      assert.deepEqual(await accessibilityViolations(page), []);
      await context.close();
    });

    it('refuses a redirect URI that is not registered, on a French page', async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: `${rp.base}/elsewhere`,
        scope: 'openid scope_all',
      });
      const response = await page.goto(url.href);
      assert.equal(response?.status(), 400);
      assert.match(
        await page.getByRole('alert').innerText(),
        /L'adresse de retour demandée par le service n'est pas autorisée/,
      );
      await context.close();
      // Matching is exact: a longer path, a query, another port or scheme of the registered URI
      // could lead the code to a page the service does not control.
      const registered = new URL(rp.redirectUri);
      const otherPort = new URL(registered);
      otherPort.port = String(Number(registered.port) + 1);
      const otherScheme = new URL(registered);
      otherScheme.protocol = registered.protocol === 'https:' ? 'http:' : 'https:';
      for (const redirectUri of [
        `${rp.redirectUri}/x`,
        `${rp.redirectUri}?a=1`,
        otherPort.href,
        otherScheme.href,
      ]) {
        const refused = await fetchTrusted(
          client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid' }).href,
          { redirect: 'manual' },
        );
        assert.equal(refused.status, 400, redirectUri);
        assert.equal(refused.headers.get('location'), null, redirectUri);
        assert.match(await refused.text(), /Code : invalid_redirect_uri/, redirectUri);
      }
    });

    it('authenticates clients by private_key_jwt and client_secret_post, signs userinfo as JWT, revokes tokens', async () => {
      const context = await contextFor(HOSPITAL_DOCTOR);
      const page = await context.newPage();
      const jwtConfig = await discover(
        'rp-jwt',
        undefined,
        client.PrivateKeyJwt({ key: jwtClientKey, kid: 'rp-jwt-1' }),
      );
      const { verifier, challenge } = await pkce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(jwtConfig, {
        redirect_uri: rp.redirectUri,
        scope: 'openid scope_all',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      });
      await page.goto(url.href);
      if (!page.url().startsWith(rp.redirectUri))
        await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      await page.waitForURL(`${rp.redirectUri}**`);
      const tokens = await client.authorizationCodeGrant(jwtConfig, new URL(page.url()), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const userinfoResponse = await fetchTrusted(`${issuer}/protocol/openid-connect/userinfo`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.match(userinfoResponse.headers.get('content-type') ?? '', /application\/jwt/);
      const jwt = await userinfoResponse.text();
      const { payload, protectedHeader } = await jwtVerify(
        jwt,
        createRemoteJWKSetFromFetch(`${issuer}/protocol/openid-connect/certs`),
        { issuer, audience: 'rp-jwt' },
      );
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.preferred_username, HOSPITAL_DOCTOR);

      const postConfig = await discover('rp-post', secret, client.ClientSecretPost(secret));
      const second = await pkce();
      const state2 = client.randomState();
      await page.goto(
        client.buildAuthorizationUrl(postConfig, {
          redirect_uri: rp.redirectUri,
          scope: 'openid',
          code_challenge: second.challenge,
          code_challenge_method: 'S256',
          state: state2,
        }).href,
      );
      await page.waitForURL(`${rp.redirectUri}**`);
      const postTokens = await client.authorizationCodeGrant(postConfig, new URL(page.url()), {
        pkceCodeVerifier: second.verifier,
        expectedState: state2,
      });
      assert.equal((await client.tokenIntrospection(postConfig, postTokens.access_token)).active, true);
      await client.tokenRevocation(postConfig, postTokens.access_token);
      assert.equal((await client.tokenIntrospection(postConfig, postTokens.access_token)).active, false);
      await context.close();

      async function keySet(url: string) {
        return (await (await fetchTrusted(url)).json()) as { keys: JWK[] };
      }
      function createRemoteJWKSetFromFetch(url: string) {
        return async (header: { kid?: string }) => {
          const { keys } = await keySet(url);
          const key = keys.find((k) => k.kid === header.kid);
          if (!key) throw new Error('unknown kid');
          return importJWK(key, String(key.alg));
        };
      }
    });

    it('requires PKCE from public clients and checks the verifier', async () => {
      const publicConfig = await discover('rp-public', undefined, client.None());
      const context = await contextFor(GP);
      const page = await context.newPage();
      await page.goto(
        client.buildAuthorizationUrl(publicConfig, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
        }).href,
      );
      await page.waitForURL(`${rp.redirectUri}**`);
      const refused = new URL(page.url());
      assert.equal(refused.searchParams.get('error'), 'invalid_request');
      assert.match(refused.searchParams.get('error_description') ?? '', /PKCE/);

      const { challenge } = await pkce();
      const state = client.randomState();
      const callback = await cardLogin(page, {
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state,
      });
      await rejectsWithOAuth(
        client.authorizationCodeGrant(publicConfig, callback, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: state,
        }),
        'invalid_grant',
      );
      await context.close();
    });

    it('refuses a reused code and revokes what the first use gave; refuses an expired code and a wrong secret', async () => {
      const context = await contextFor(GP);
      const page = await context.newPage();
      const { tokens: first, callback, checks } = await cardLoginTokens(page);
      await rejectsWithOAuth(client.authorizationCodeGrant(config, callback, checks), 'invalid_grant');
      // Tokens issued from a code that was then replayed are revoked.
      await assert.rejects(
        client.fetchUserInfo(config, first.access_token, client.skipSubjectCheck),
        (error: unknown) => {
          assert.match(
            String((error as { cause?: unknown }).cause ?? error) + JSON.stringify(error),
            /invalid_token|401/,
          );
          return true;
        },
      );

      const wrongSecret = await discover('rp-confidential', 'not-the-secret');
      const second = await pkce();
      const state2 = client.randomState();
      const callback2 = await cardLogin(page, {
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        code_challenge: second.challenge,
        code_challenge_method: 'S256',
        state: state2,
      });
      await rejectsWithOAuth(
        client.authorizationCodeGrant(wrongSecret, callback2, {
          pkceCodeVerifier: second.verifier,
          expectedState: state2,
        }),
        'invalid_client',
      );

      const third = await pkce();
      const state3 = client.randomState();
      const callback3 = await cardLogin(page, {
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        code_challenge: third.challenge,
        code_challenge_method: 'S256',
        state: state3,
      });
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      await rejectsWithOAuth(
        client.authorizationCodeGrant(config, callback3, {
          pkceCodeVerifier: third.verifier,
          expectedState: state3,
        }),
        'invalid_grant',
      );
      await context.close();
    });

    it('refuses an acr it does not offer', async () => {
      const context = await contextFor(GP);
      const page = await context.newPage();
      await page.goto(
        client.buildAuthorizationUrl(config, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
          acr_values: 'eidas3',
          state: 'x',
        }).href,
      );
      await page.waitForURL(`${rp.redirectUri}**`);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('error'), 'unmet_authentication_requirements');
      assert.equal(url.searchParams.get('state'), 'x');
      await context.close();
    });

    it('ends the session on RP-initiated logout and calls the back-channel logout URI', async () => {
      const context = await contextFor(PHARMACIST);
      const page = await context.newPage();
      const { tokens } = await cardLoginTokens(page);
      const before = rp.logoutTokens.length;
      // A logout may only end at an address the service registered, exactly: not a longer path,
      // not another origin, even with a valid ID token of that service.
      for (const elsewhere of [`${rp.postLogoutUri}/x`, 'https://elsewhere.example/logged-out']) {
        const refused = await page.goto(
          client.buildEndSessionUrl(config, {
            id_token_hint: tokens.id_token!,
            post_logout_redirect_uri: elsewhere,
          }).href,
        );
        assert.equal(refused?.status(), 400, elsewhere);
        assert.match(await page.getByRole('alert').innerText(), /post_logout_redirect_uri/, elsewhere);
        assert.equal(await page.getByRole('button', { name: 'Me déconnecter' }).count(), 0, elsewhere);
      }
      const logout = client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: rp.postLogoutUri,
        state: 'bye',
      });
      const logoutPage = await page.goto(logout.href);
      // The confirmation page carries our CSP, its form allowed to end at the relying party.
      const csp = (await logoutPage!.allHeaders())['content-security-policy'] ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, new RegExp(`form-action 'self' ${new URL(rp.postLogoutUri).origin}(;|$)`));
      await page.getByRole('button', { name: 'Me déconnecter' }).click();
      await page.waitForURL(`${rp.postLogoutUri}**`);
      assert.equal(new URL(page.url()).searchParams.get('state'), 'bye');
      assert.equal(rp.logoutTokens.length, before + 1, 'the back-channel logout URI was called');
      const logoutToken = JSON.parse(
        Buffer.from(rp.logoutTokens.at(-1)!.split('.')[1]!, 'base64url').toString(),
      );
      assert.equal(logoutToken.iss, issuer);
      assert.ok(logoutToken.events['http://schemas.openid.net/event/backchannel-logout']);
      assert.equal(logoutToken.sub, tokens.claims()!.sub);
      // The provider session is gone: a new authorization shows the login page again.
      await page.goto(
        client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid' }).href,
      );
      assert.ok(await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).isVisible());
      // Without a session there is nothing to confirm: oidc-provider's page submits itself (an
      // inline script the CSP allows by its hash) and the browser lands back on the service.
      await page.goto(
        client.buildEndSessionUrl(config, { post_logout_redirect_uri: rp.postLogoutUri, state: 'again' })
          .href,
      );
      await page.waitForURL(`${rp.postLogoutUri}**`);
      assert.equal(new URL(page.url()).searchParams.get('state'), 'again');
      await context.close();
    });

    // Last: the card is revoked for good.
    it('ends the sessions and refresh tokens obtained with a card when `caducee card revoke` puts it in opposition', async () => {
      const context = await contextFor(HOSPITAL_DOCTOR);
      const page = await context.newPage();
      const { tokens } = await cardLoginTokens(page);
      assert.ok(tokens.refresh_token);
      const logoutsBefore = rp.logoutTokens.length;

      // The operator's command, in its own process, as on a real deployment beside the server.
      const revoked = await runCli(['card', 'revoke', HOSPITAL_DOCTOR, '--json'], {
        ...opened.env,
        CADUCEE_DATA_DIR: test.system.settings.dataDir,
        CADUCEE_IDP_URL: issuer,
        CADUCEE_CARD_HOST_URL: test.system.settings.cardHost.url,
      });
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.deepEqual(
        JSON.parse(revoked.stdout).map((card: { idnat: string; status: string }) => [
          card.idnat,
          card.status,
        ]),
        [[HOSPITAL_DOCTOR, 'revoked']],
      );

      await rejectsWithOAuth(client.refreshTokenGrant(config, tokens.refresh_token!), 'invalid_grant');
      assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
      // Earlier tests left other sessions of this professional: each of them ends too.
      const told = rp.logoutTokens
        .slice(logoutsBefore)
        .map((token) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()));
      assert.ok(told.length >= 1, 'the relying party is told by back-channel');
      for (const logoutToken of told) {
        assert.equal(logoutToken.sub, tokens.claims()!.sub);
        assert.equal(logoutToken.iss, issuer);
      }
      // The provider session is gone: no single sign-on, the login page again.
      await page.goto(
        client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid' }).href,
      );
      assert.ok(await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).isVisible());
      const [ended] = await test.system.audit.list({ type: 'oidc.logout_all', limit: 1 });
      assert.deepEqual(
        [ended?.actor, ended?.subject, ended?.method],
        ['cli', HOSPITAL_DOCTOR, 'card.revoke'],
      );
      assert.ok(Number(ended?.details?.sessions) >= 1);
      // The opposition itself is audited: which card, whose, on whose order.
      const [revocation] = await test.system.audit.list({ type: 'card.revoke', limit: 1 });
      assert.deepEqual(
        [revocation?.outcome, revocation?.actor, revocation?.subject, revocation?.details?.idnat],
        ['success', 'cli', serials[HOSPITAL_DOCTOR], HOSPITAL_DOCTOR],
      );
      await context.close();
    });
  });
}

interface PscExercice {
  codeProfession: string;
  codeSavoirFaire: string;
  activities: Array<{ codeSecteurDactivite: string; codeSectionPharmacien: string }>;
}
interface PscUserinfoShape {
  preferred_username: string;
  SubjectNameID: string;
  SubjectRole: string[];
  SubjectRefPro: { exercices: PscExercice[] };
}
