import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startIdpServer } from '../../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../../src/directory/index.ts';
import { createLogger, type RunningServer } from '../../src/platform/index.ts';
import { registerWebClient } from '../support/clients.ts';
import { type TestResponse, trustingFetch } from '../support/https.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';
import { type TestSystem, testSystem } from '../support/system.ts';

const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
const CLIENT_ID = 'fuzz-rp';
const SECRET = randomBytes(24).toString('base64url');
const REDIRECT = 'https://rp.example.test/callback';
const GP = '899760000010';

/** OAuth's registered error codes, and oidc-provider's extensions of them. */
const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'invalid_dpop_proof',
  'invalid_authorization_details',
]);

/** A parameter's value: a plausible one, or anything (unicode, control characters, long). */
const value = (...plausible: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...plausible) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 2000, maxLength: 4000 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((json) => JSON.stringify(json)) },
  );

/** A request's parameters: each present or not, some given twice. */
const parameters = (fields: Record<string, fc.Arbitrary<string>>) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.subarray(Object.keys(fields), { maxLength: 2 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 20 }), { maxKeys: 2 }),
    )
    .map(([chosen, twice, extra]) => {
      const params = new URLSearchParams();
      for (const [name, v] of Object.entries({ ...extra, ...chosen }))
        if (v !== undefined) params.append(name, v);
      for (const name of twice) if (chosen[name] !== undefined) params.append(name, chosen[name]!);
      return params;
    });

const authorizationParameters = parameters({
  client_id: value(CLIENT_ID, 'inconnu'),
  redirect_uri: value(REDIRECT, `${REDIRECT}/autre`, 'https://attaquant.example/callback', `${REDIRECT}?x=1`),
  response_type: value('code', 'token', 'id_token', 'code id_token', 'none'),
  scope: value('openid scope_all', 'openid', 'openid offline_access', 'scope_all', 'openid inconnu'),
  state: value('etat'),
  nonce: value('nonce'),
  code_challenge: value('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'court'),
  code_challenge_method: value('S256', 'plain', 'MD5'),
  acr_values: value('eidas1', 'eidas2'),
  prompt: value('login', 'none', 'consent', 'select_account'),
  max_age: value('0', '-1', '300', '1e99'),
  response_mode: value('query', 'fragment', 'form_post', 'jwt'),
  claims: value('{"userinfo":{"SubjectNameID":null}}', '{"id_token":{"acr":{"essential":true}}}'),
  request: value('eyJhbGciOiJub25lIn0.e30.', 'a.b.c'),
  login_hint: value(GP),
  ui_locales: value('fr-FR', 'en'),
});

const tokenParameters = parameters({
  grant_type: value(
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'urn:openid:params:grant-type:ciba',
    'password',
  ),
  code: value('code-inconnu'),
  refresh_token: value('jeton-inconnu'),
  redirect_uri: value(REDIRECT),
  code_verifier: value('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
  scope: value('openid', 'scope_all'),
  auth_req_id: value('demande-inconnue'),
  client_id: value(CLIENT_ID, 'inconnu'),
  client_secret: value(SECRET, 'faux'),
  client_assertion_type: value('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
  client_assertion: value('eyJhbGciOiJIUzI1NiJ9.e30.c2ln', 'a.b.c'),
});

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const authorization = fc.option(
  fc.oneof(
    fc.constant(basic(CLIENT_ID, SECRET)),
    fc.constant(basic(CLIENT_ID, 'faux')),
    fc.string({ maxLength: 60 }).map((s) => `Basic ${s}`),
    // What a header may carry at all (a fetch refuses control characters).
    fc.string({ unit: 'binary', maxLength: 60 }).map((s) =>
      Buffer.from(s)
        .toString('latin1')
        .replace(/[^\x21-\x7e\xa0-\xff]/g, ''),
    ),
  ),
  { nil: undefined },
);

/** A page answered to a browser: ours, in French, never a stack trace. */
async function assertOurPage(response: TestResponse) {
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const body = await response.text();
  assert.match(body, /<html lang="fr"/);
  assert.doesNotMatch(body, /\n\s+at [\w<.]+ \(|node_modules/, 'no stack trace');
  return body;
}

/**
 * The provider's request parameters, as anyone may send them (src/oidc): arbitrary, duplicated,
 * oversized and unknown parameters on the authorization and token endpoints and the login form
 * only ever get a protocol refusal or one of our catalogued pages: no 5xx, no redirect anywhere
 * but the client's registered URI or the provider's own login page, and nothing written by a
 * request that is refused.
 */
for (const storeCase of storeCases()) {
  describe(`provider request parameters (property-based, ${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let server: RunningServer;
    let fetch: ReturnType<typeof trustingFetch>;
    const runs = storeCase.kind === 'sqlite' ? 150 : 60;
    const payloads = async () => {
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from oidc_payload`.execute(
        test.system.store.db,
      );
      return Number(rows[0]!.n);
    };

    before(async () => {
      opened = await storeCase.open();
      // Every request of the test comes from 127.0.0.1: the limits are not what is tested here.
      test = await testSystem(opened, {
        rateLimits: {
          loginFormPerAddress: 1_000_000,
          oauthRequestsPerAddress: 1_000_000,
          oauthRequestsPerClient: 1_000_000,
          oauthClientFailuresPerAddress: 10_000,
        },
      });
      await loadDemoDirectoryIfEmpty(test.system.directory);
      // No client-credentials grant: no request of the token endpoint can succeed here.
      await registerWebClient(test.system, {
        client_id: CLIENT_ID,
        client_name: 'Service de test',
        client_secret: SECRET,
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
      });
      server = await startIdpServer(test.system, log, test.ports.idp);
      fetch = trustingFetch((await test.system.tls()).caPem);
    });
    after(async () => {
      await server?.close();
      test?.dispose();
      await opened?.dispose();
    });

    it('answers any authorization request with a redirect to the registered URI or the login page, or a page of ours', async () => {
      await fc.assert(
        fc.asyncProperty(authorizationParameters, fc.boolean(), async (params, asPost) => {
          const endpoint = `${server.url}/protocol/openid-connect/auth`;
          const response = asPost
            ? await fetch(endpoint, {
                method: 'POST',
                signal: AbortSignal.timeout(10_000),
                redirect: 'manual',
                headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
                body: params.toString(),
              })
            : await fetch(`${endpoint}?${params}`, {
                redirect: 'manual',
                headers: { accept: 'text/html' },
                signal: AbortSignal.timeout(10_000),
              });
          assert.ok(response.status < 500, `${response.status} for ${params}`);
          if (response.status === 302 || response.status === 303) {
            const location = response.headers.get('location') ?? '';
            const target = new URL(location, server.url);
            const toClient = `${target.origin}${target.pathname}` === REDIRECT;
            const toLogin =
              target.origin === new URL(server.url).origin && /^\/interaction\/[\w-]+$/.test(target.pathname);
            assert.ok(toClient || toLogin, `redirected to ${location}`);
            await response.body?.cancel();
          } else if (/<form method="post"/.test(await response.clone().text())) {
            // response_mode=form_post (a success, 200, or an error, 400): the page's form posts
            // to the registered URI, nowhere else.
            const actions = [...(await response.text()).matchAll(/<form[^>]* action="([^"]*)"/g)];
            assert.deepEqual(
              actions.map((m) => m[1]),
              [REDIRECT],
            );
          } else {
            const body = await assertOurPage(response);
            if (response.status === 431) {
              // A URL over Node's 16 KiB of request line and headers, refused before any handler.
              assert.match(body, /REQUEST_HEADERS_TOO_LARGE/);
            } else if (asPost && response.status === 404) {
              // POST is not offered at the authorization endpoint (it needs SameSite=None cookies).
              assert.match(body, /NOT_FOUND/);
            } else {
              assert.equal(response.status, 400, `${response.status} for ${params}: ${body}`);
              assert.match(body, /La connexion ne peut pas aboutir/);
            }
          }
        }),
        // No shrinking: a request that hangs would be retried for minutes.
        { numRuns: runs, endOnFailure: true },
      );
    });

    it('refuses any token request in OAuth terms, and writes nothing', async () => {
      const before = await payloads();
      await fc.assert(
        fc.asyncProperty(tokenParameters, authorization, async (params, credentials) => {
          const response = await fetch(`${server.url}/protocol/openid-connect/token`, {
            method: 'POST',
            signal: AbortSignal.timeout(10_000),
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              ...(credentials === undefined ? {} : { authorization: credentials }),
            },
            body: params.toString(),
          });
          assert.ok(response.status === 400 || response.status === 401, `${response.status} for ${params}`);
          assert.match(response.headers.get('content-type') ?? '', /application\/json/);
          const body = await response.json();
          assert.ok(OAUTH_ERRORS.has(body.error), `error ${body.error}`);
          assert.equal(typeof body.error_description, 'string');
        }),
        // No shrinking: a request that hangs would be retried for minutes.
        { numRuns: runs, endOnFailure: true },
      );
      assert.equal(await payloads(), before, 'no code, token or grant stored by a refused request');
    });

    it('answers any identifier posted on the login form with the login page or the waiting page', async () => {
      const started = await fetch(
        `${server.url}/protocol/openid-connect/auth?${new URLSearchParams({
          client_id: CLIENT_ID,
          redirect_uri: REDIRECT,
          response_type: 'code',
          scope: 'openid scope_all',
          state: 'etat',
          nonce: 'nonce',
        })}`,
        { redirect: 'manual' },
      );
      assert.equal(started.status, 303);
      const login = new URL(started.headers.get('location')!, server.url).toString();
      const cookie = started.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.constantFrom(GP, '810000000000', ''), fc.string({ unit: 'binary', maxLength: 300 })),
          fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
          async (idnat, remember) => {
            const form = new URLSearchParams({ idnat });
            if (remember !== undefined) form.set('memoriser', remember);
            const response = await fetch(`${login}/ecps`, {
              method: 'POST',
              signal: AbortSignal.timeout(10_000),
              redirect: 'manual',
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                origin: new URL(server.url).origin,
                cookie,
              },
              body: form.toString(),
            });
            if (response.status === 303) {
              assert.match(response.headers.get('location') ?? '', /\/ecps\/attente\?demande=/);
              await response.body?.cancel();
              return;
            }
            // The login page again, with the refusal's own status (unknown professional: 401…).
            assert.ok(
              response.status >= 400 && response.status < 500,
              `${response.status} for ${idnat}: ${await response.clone().text()}`,
            );
            const body = await assertOurPage(response);
            assert.match(body, /role="alert"/);
          },
        ),
        // No shrinking: a request that hangs would be retried for minutes.
        { numRuns: runs, endOnFailure: true },
      );
    });
  });
}
