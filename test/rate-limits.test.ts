import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { Agent, fetch } from 'undici';
import { startCardHostServer, startIdpServer } from '../src/cli/servers.ts';
import { buildSystem, type System } from '../src/cli/system.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import { createLogger, type DeepPartial, type RunningServer, type Settings } from '../src/platform/index.ts';
import { registerWebClient } from './support/clients.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const PHARMACIST = '899760000036';
const TOKEN = '/protocol/openid-connect/token';
const SECRET = 'secret-of-the-rate-limited-client-0123456789';
const log = createLogger('silent');

/**
 * Small limits, and the test runner's loopback address as the trusted proxy: each test speaks
 * from its own addresses through X-Forwarded-For, so that its counters are its own.
 */
const LIMITS: DeepPartial<Settings> = {
  http: { trustedProxies: '127.0.0.1' },
  rateLimits: {
    cardLoginsPerAddress: 3,
    cardLoginsPerCard: 2,
    loginFormPerAddress: 2,
    oauthRequestsPerAddress: 3,
    oauthRequestsPerClient: 3,
    oauthClientFailuresPerAddress: 2,
    activationLookupsPerAddress: 2,
  },
};

let lastAddress = 0;
/** A documentation address (RFC 5737) no other test of this file uses. */
const newAddress = () => `198.51.100.${++lastAddress}`;
let lastNetwork = 0;
/**
 * A new address in an IPv6 /64 (a documentation prefix) at each call: the per-address limits
 * count the /64, so these add up as one address would.
 */
const newNetwork = () => {
  const network = `2001:db8:100:${(++lastNetwork).toString(16)}`;
  let host = 0;
  return () => `${network}::${(++host).toString(16)}`;
};

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function addMachine(system: System, clientId: string, method = 'client_secret_basic') {
  await registerWebClient(system, {
    client_id: clientId,
    client_name: `Service ${clientId}`,
    client_secret: SECRET,
    redirect_uris: [],
    token_endpoint_auth_method: method,
    grant_types: ['client_credentials'],
    response_types: [],
  });
}

/** POSTs a form to the provider as the client at `from` (through the trusted proxy by default). */
function poster(base: () => string, agent: () => Agent) {
  return (
    path: string,
    form: Record<string, string>,
    options: { from?: string; authorization?: string; via?: Agent } = {},
  ) =>
    fetch(`${base()}${path}`, {
      method: 'POST',
      dispatcher: options.via ?? agent(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(options.from ? { 'x-forwarded-for': options.from } : {}),
        ...(options.authorization ? { authorization: options.authorization } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
}

async function assertOAuthRefusal(response: Awaited<ReturnType<typeof fetch>>, description: RegExp) {
  assert.equal(response.status, 429);
  const retryAfter = Number(response.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 600, `Retry-After: ${response.headers.get('retry-after')}`);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const body = (await response.json()) as { error: string; error_description: string };
  assert.equal(body.error, 'temporarily_unavailable');
  assert.match(body.error_description, description);
  assert.match(body.error_description, /réessayez dans \d+ secondes?|réessayez dans \d+ minutes?/);
}

for (const storeCase of storeCases()) {
  describe(`rate limits (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let idp: RunningServer;
    let cardHost: RunningServer;
    let issuer: string;
    let ca: string;
    let agent: Agent;
    /** Connects from 127.0.0.2: a peer that is not a trusted proxy. */
    let untrusted: Agent;
    const cards: Record<string, { pfx: Buffer; passphrase: string }> = {};
    const post = poster(
      () => issuer,
      () => agent,
    );

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened, LIMITS);
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      for (const [name, idnat, pin] of [
        ['gp', GP, '1234'],
        ['pharmacist', PHARMACIST, '4321'],
      ] as const) {
        const issued = await (await system.cards()).issue(idnat, { pin });
        cards[name] = { pfx: readFileSync(issued.file), passphrase: pin };
      }
      ca = (await system.tls()).caPem;
      agent = new Agent({ connect: { ca } });
      untrusted = new Agent({ connect: { ca }, localAddress: '127.0.0.2' });
      idp = await startIdpServer(system, log, test.ports.idp);
      cardHost = await startCardHostServer(system, log, test.ports.cardHost);
      issuer = `https://127.0.0.1:${idp.port}`;
    });
    after(async () => {
      await idp?.close();
      await cardHost?.close();
      await agent?.close();
      await untrusted?.close();
      test?.dispose();
      await opened?.dispose();
    });

    describe('token, introspection, revocation, CIBA and PAR endpoints', () => {
      it('refuse an address beyond its requests per minute, in OAuth shape', async () => {
        for (const path of [
          TOKEN,
          '/protocol/openid-connect/token/introspect',
          '/protocol/openid-connect/revoke',
          '/protocol/openid-connect/ext/ciba/auth',
          '/protocol/openid-connect/ext/par/request',
        ]) {
          const from = newAddress();
          for (let i = 0; i < 3; i++) {
            const answer = await post(path, { token: 'x' }, { from });
            assert.notEqual(answer.status, 429, `${path}: request ${i + 1} is within the limit`);
            await answer.body?.cancel();
          }
          await assertOAuthRefusal(
            await post(path, { token: 'x' }, { from }),
            /Trop de requêtes depuis cette adresse/,
          );
          const elsewhere = await post(path, { token: 'x' }, { from: newAddress() });
          assert.notEqual(elsewhere.status, 429, `${path}: another address has its own count`);
          await elsewhere.body?.cancel();
        }
      });

      it('count an IPv6 /64 as one address, whichever of its addresses the requests come from', async () => {
        const network = '2001:db8:64:1';
        for (let i = 0; i < 3; i++) {
          const answer = await post(TOKEN, { token: 'x' }, { from: `${network}::${i + 1}` });
          assert.notEqual(answer.status, 429, `request ${i + 1} is within the limit`);
          await answer.body?.cancel();
        }
        await assertOAuthRefusal(
          await post(TOKEN, { token: 'x' }, { from: `${network}:abcd:ef01:2345:6789` }),
          /Trop de requêtes depuis cette adresse/,
        );
        const next = await post(TOKEN, { token: 'x' }, { from: `${network.replace(/:1$/, ':2')}::1` });
        assert.notEqual(next.status, 429, 'the next /64 has its own count');
        await next.body?.cancel();
      });

      it('stop failed client authentications per client and address, without locking the client out elsewhere', async () => {
        await addMachine(test.system, 'rl-basic');
        await addMachine(test.system, 'rl-post', 'client_secret_post');
        await addMachine(test.system, 'rl-jwt', 'client_secret_jwt');
        const assertion = async (clientId: string, secret: string) =>
          new SignJWT({})
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer(clientId)
            .setSubject(clientId)
            .setAudience(test.system.settings.idp.url)
            .setJti(randomBytes(8).toString('hex'))
            .setIssuedAt()
            .setExpirationTime('1m')
            .sign(Buffer.from(secret));
        // The same client authentication with a wrong secret, then the right one, per method.
        const ways: Array<[string, (secret: string) => Promise<Parameters<typeof post>>]> = [
          [
            'client_secret_basic',
            async (secret) => [
              TOKEN,
              { grant_type: 'client_credentials' },
              { authorization: basic('rl-basic', secret) },
            ],
          ],
          [
            'client_secret_post',
            async (secret) => [
              TOKEN,
              { grant_type: 'client_credentials', client_id: 'rl-post', client_secret: secret },
            ],
          ],
          [
            'client_secret_jwt',
            async (secret) => [
              TOKEN,
              {
                grant_type: 'client_credentials',
                client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
                client_assertion: await assertion('rl-jwt', secret),
              },
            ],
          ],
        ];
        for (const [method, request] of ways) {
          const attacker = newAddress();
          const send = async (secret: string, from: string) => {
            const [path, form, options] = await request(secret);
            return post(path, form, { ...options, from });
          };
          for (let i = 0; i < 2; i++) {
            const wrong = await send(`wrong-secret-${i}-0123456789abcdefghijklmnop`, attacker);
            assert.equal(wrong.status, 401, `${method}: wrong secret ${i + 1}`);
            await wrong.body?.cancel();
          }
          // Even the right secret gets no answer from there: guessing cannot go on.
          await assertOAuthRefusal(
            await send(SECRET, attacker),
            /Trop d'échecs d'authentification de ce client depuis cette adresse/,
          );
          // The relying party itself, elsewhere, still gets its tokens.
          const genuine = await send(SECRET, newAddress());
          assert.equal(genuine.status, 200, `${method}: ${await genuine.clone().text()}`);
          assert.ok(((await genuine.json()) as { access_token?: string }).access_token);
        }
      });

      it("count an authenticated client's requests wherever they come from, and only its own", async () => {
        await addMachine(test.system, 'rl-busy');
        const grant = (from: string, secret = SECRET) =>
          post(
            TOKEN,
            { grant_type: 'client_credentials' },
            { authorization: basic('rl-busy', secret), from },
          );
        // Someone else's failures under its client_id do not use up its allowance.
        const stranger = newAddress();
        for (let i = 0; i < 2; i++) await (await grant(stranger, 'not-the-secret')).body?.cancel();
        for (let i = 0; i < 3; i++) {
          const answer = await grant(newAddress());
          assert.equal(answer.status, 200, `request ${i + 1}`);
          await answer.body?.cancel();
        }
        await assertOAuthRefusal(await grant(newAddress()), /Trop de requêtes de ce client/);
      });

      it('believe X-Forwarded-For from a trusted proxy only', async () => {
        // From 127.0.0.2, which is no trusted proxy: the header is ignored, the peer is counted.
        for (let i = 0; i < 3; i++) {
          const answer = await post(TOKEN, {}, { from: newAddress(), via: untrusted });
          assert.notEqual(answer.status, 429);
          await answer.body?.cancel();
        }
        await assertOAuthRefusal(
          await post(TOKEN, {}, { from: newAddress(), via: untrusted }),
          /depuis cette adresse/,
        );
        // From 127.0.0.1, the trusted proxy: the address it forwards is the client's.
        const forwarded = await post(TOKEN, {}, { from: newAddress() });
        assert.notEqual(forwarded.status, 429);
        await forwarded.body?.cancel();
      });
    });

    describe("provider login page's identifier form", () => {
      it('refuses an address beyond its submissions, whatever the identifier', async () => {
        await registerWebClient(test.system, {
          client_id: 'rl-web',
          client_name: 'Service de test',
          client_secret: SECRET,
          redirect_uris: ['https://rp.example.org/callback'],
        });
        const startLogin = async () => {
          const url = new URL(`${issuer}/protocol/openid-connect/auth`);
          url.search = new URLSearchParams({
            client_id: 'rl-web',
            response_type: 'code',
            scope: 'openid scope_all',
            redirect_uri: 'https://rp.example.org/callback',
            state: randomBytes(8).toString('hex'),
          }).toString();
          const answer = await fetch(url, { dispatcher: agent, redirect: 'manual' });
          const location = new URL(answer.headers.get('location') ?? '', issuer);
          const cookie = answer.headers
            .getSetCookie()
            .map((c) => c.split(';')[0])
            .join('; ');
          assert.match(location.pathname, /^\/interaction\/[^/]+$/);
          return { path: location.pathname, cookie };
        };
        const submit = (login: { path: string; cookie: string }, from: string, idnat: string) =>
          fetch(`${issuer}${login.path}/ecps`, {
            method: 'POST',
            dispatcher: agent,
            redirect: 'manual',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              cookie: login.cookie,
              'x-forwarded-for': from,
            },
            body: new URLSearchParams({ idnat }).toString(),
          });
        const login = await startLogin();
        // Each submission from another address of one /64.
        const from = newNetwork();
        for (const idnat of ['899999999991', '899999999992']) {
          const answer = await submit(login, from(), idnat);
          assert.equal(answer.status, 401, 'an unknown identifier is said so');
          await answer.body?.cancel();
        }
        const refused = await submit(login, from(), '899999999993');
        assert.equal(refused.status, 429);
        assert.ok(Number(refused.headers.get('retry-after')) > 0);
        const page = await refused.text();
        assert.match(
          page,
          /Trop de tentatives de connexion depuis ce poste en peu de temps\. Réessayez dans \d+ minutes?\./,
        );
        // The same page from another address still works (the limit is per address).
        const other = await submit(login, newAddress(), '899999999994');
        assert.equal(other.status, 401);
        await other.body?.cancel();
      });
    });

    describe("provider login page's identifier form, from another site", () => {
      it('is refused before anything is read or counted', async () => {
        const forged = await fetch(`${issuer}/interaction/any-interaction/ecps`, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'sec-fetch-site': 'cross-site',
            'x-forwarded-for': newAddress(),
          },
          body: new URLSearchParams({ idnat: GP }).toString(),
        });
        assert.equal(forged.status, 403);
        assert.match(await forged.text(), /OIDC_FORBIDDEN_REQUEST|envoyé depuis la page de connexion/);
        const byOrigin = await fetch(`${issuer}/interaction/any-interaction/ecps`, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: 'https://elsewhere.example',
          },
          body: new URLSearchParams({ idnat: GP }).toString(),
        });
        assert.equal(byOrigin.status, 403);
        await byOrigin.body?.cancel();
        // From the provider's own page, the same unknown interaction is only expired.
        const own = await fetch(`${issuer}/interaction/any-interaction/ecps`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
          body: new URLSearchParams({ idnat: GP }).toString(),
        });
        assert.equal(own.status, 400);
        await own.body?.cancel();
      });
    });

    describe('e-CPS activation without a card, first step', () => {
      it('limits the masked-contact lookups from one address, whatever the identifier', async () => {
        // Each lookup from another address of one /64.
        const from = newNetwork();
        const lookup = (idnat: string, address = from()) =>
          fetch(`${issuer}/ecps/api/activation/demande`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
            body: JSON.stringify({ idnat }),
          });
        for (const idnat of [GP, PHARMACIST]) {
          const answer = await lookup(idnat);
          assert.equal(answer.status, 200, `${idnat} is within the limit`);
          await answer.body?.cancel();
        }
        const refused = await lookup(GP);
        assert.equal(refused.status, 429);
        assert.ok(Number(refused.headers.get('retry-after')) >= 1);
        const body = (await refused.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'ECPS_TOO_MANY_REQUESTS');
        assert.match(body.error.message, /Trop de demandes\. Réessayez dans \d+ minutes?/);
        const elsewhere = await lookup(GP, newAddress());
        assert.equal(elsewhere.status, 200, 'another address has its own count');
        await elsewhere.body?.cancel();
      });
    });

    describe('card host', () => {
      const withCard = (name?: keyof typeof cards) =>
        new Agent({ connect: { ca, ...(name ? cards[name] : {}) } });
      const cardHostGet = (path: string, dispatcher: Agent, from: string) =>
        fetch(`https://127.0.0.1:${cardHost.port}${path}`, {
          dispatcher,
          headers: { 'x-forwarded-for': from },
        });
      const loginPath = () =>
        `/connexion?${new URLSearchParams({
          rid: 'rid',
          nonce: 'nonce',
          retour: `${test.system.settings.idp.url}/carte-cps/retour`,
        })}`;

      it('limits the logins with one card, "Tester ma carte" included, wherever they come from', async () => {
        const gp = withCard('gp');
        const pharmacist = withCard('pharmacist');
        try {
          const first = newAddress();
          const tested = await cardHostGet('/', gp, first);
          assert.equal(tested.status, 200);
          assert.match(await tested.text(), /Carte lue\./);
          const events = await test.system.audit.list({ type: 'card.test' });
          assert.equal(events[0]?.ip, first, 'the audit log keeps the address the proxy forwarded');
          await (await cardHostGet('/', gp, newAddress())).body?.cancel();
          const refused = await cardHostGet(loginPath(), gp, newAddress());
          assert.equal(refused.status, 429);
          assert.ok(Number(refused.headers.get('retry-after')) > 0);
          const page = await refused.text();
          assert.match(
            page,
            /Trop de connexions par carte avec cette carte en peu de temps\. Réessayez dans \d+ minutes?\./,
          );
          assert.match(page, /CARD_TOO_MANY_ATTEMPTS/);
          // Another card from the same address is not concerned.
          const other = await cardHostGet('/', pharmacist, newAddress());
          assert.equal(other.status, 200);
          await other.body?.cancel();
        } finally {
          await gp.close();
          await pharmacist.close();
        }
      });

      it('limits the card logins from one address, whatever the card', async () => {
        const none = withCard();
        try {
          // Each attempt from another address of one /64.
          const from = newNetwork();
          for (let i = 0; i < 3; i++) {
            const answer = await cardHostGet(i === 2 ? loginPath() : '/', none, from());
            assert.equal(answer.status, 401, `attempt ${i + 1}: no card, said so`);
            await answer.body?.cancel();
          }
          const refused = await cardHostGet('/', none, from());
          assert.equal(refused.status, 429);
          assert.ok(Number(refused.headers.get('retry-after')) > 0);
          assert.match(await refused.text(), /Trop de connexions par carte depuis ce poste/);
        } finally {
          await none.close();
        }
      });
    });
  });
}

const redisUrl = process.env.CADUCEE_TEST_REDIS_URL;

/**
 * In the scale-out mode the counters live in Redis: two provider nodes count the same requests.
 * Addresses and client_ids are random, as other runs may share the Redis server.
 */
describe('rate limits shared by two nodes in Redis', {
  skip: !redisUrl && 'needs CADUCEE_TEST_REDIS_URL',
}, () => {
  let opened: OpenedStore;
  let test: TestSystem;
  let nodeB: System;
  const servers: RunningServer[] = [];
  const nodes = ['', ''];
  let agent: Agent;
  const run = randomBytes(4).toString('hex');
  let lastHost = 0;
  // Each in its own /64: the limits count an IPv6 /64 as one address.
  const address = () =>
    `2001:db8:${run.slice(0, 4)}:${((Number.parseInt(run.slice(4), 16) + ++lastHost) & 0xffff).toString(16)}::1`;

  before(async () => {
    opened = await storeCases()[0]!.open();
    test = await testSystem(opened, { ...LIMITS, redisUrl } as DeepPartial<Settings>);
    nodeB = buildSystem(test.system.settings, opened.store);
    agent = new Agent({ connect: { ca: (await test.system.tls()).caPem } });
    servers.push(await startIdpServer(test.system, log, test.ports.idp));
    servers.push(await startIdpServer(nodeB, log, await freePort()));
    servers.forEach((server, i) => {
      nodes[i] = `https://127.0.0.1:${server.port}`;
    });
    await addMachine(test.system, `rl-shared-${run}`);
  });
  after(async () => {
    for (const server of servers) await server.close();
    await agent?.close();
    for (const system of [test?.system, nodeB]) {
      await system?.events().close();
      system?.redis()?.disconnect();
    }
    test?.dispose();
    await opened?.dispose();
  });

  it('counts the token requests of one address on every node', async () => {
    const from = address();
    for (let i = 0; i < 3; i++) {
      const answer = await poster(
        () => nodes[i % 2]!,
        () => agent,
      )(TOKEN, {}, { from });
      assert.notEqual(answer.status, 429, `request ${i + 1}, node ${(i % 2) + 1}`);
      await answer.body?.cancel();
    }
    await assertOAuthRefusal(
      await poster(
        () => nodes[1]!,
        () => agent,
      )(TOKEN, {}, { from }),
      /depuis cette adresse/,
    );
  });

  it("counts a client's failed authentications on every node", async () => {
    const from = address();
    const grant = (node: number, secret: string) =>
      poster(
        () => nodes[node]!,
        () => agent,
      )(
        TOKEN,
        { grant_type: 'client_credentials' },
        { authorization: basic(`rl-shared-${run}`, secret), from },
      );
    for (const node of [0, 1]) {
      const wrong = await grant(node, 'not-the-secret');
      assert.equal(wrong.status, 401);
      await wrong.body?.cancel();
    }
    await assertOAuthRefusal(await grant(0, SECRET), /échecs d'authentification/);
  });
});
