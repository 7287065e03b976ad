import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { sql } from 'kysely';
import pg from 'pg';
import { startIdpServer } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import { createLogger, openPostgresStore } from '../src/platform/index.ts';
import { registerWebClient } from './support/clients.ts';
import { trustingFetch } from './support/https.ts';
import { migrated, type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, testSystem } from './support/system.ts';

const GP = '899760000010';
const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');

/** The provider's origin on a test system, and a fetch that trusts its CA. */
async function startIdp(opened: OpenedStore) {
  const test = await testSystem(opened);
  await loadDemoDirectoryIfEmpty(test.system.directory);
  const server = await startIdpServer(test.system, log, test.ports.idp);
  const fetch = trustingFetch((await test.system.tls()).caPem);
  return { test, server, fetch, base: server.url };
}

/**
 * Oversized bodies are refused before they are read whole: 16 KiB on the e-CPS app's API,
 * 1 MiB anywhere else, whether the client announces the size or streams it in chunks. A URL over
 * 16 KiB and bytes that are no HTTP are refused as clearly.
 */
describe('HTTP: oversized and malformed requests', () => {
  let opened: OpenedStore;
  let idp: Awaited<ReturnType<typeof startIdp>>;
  before(async () => {
    opened = await storeCases()[0]!.open();
    idp = await startIdp(opened);
  });
  after(async () => {
    await idp?.server.close();
    idp?.test.dispose();
    await opened?.dispose();
  });

  const post = (
    path: string,
    body: string | ReadableStream,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ) =>
    idp.fetch(`${idp.base}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      duplex: 'half',
      signal,
    });

  it('answers REQUEST_TOO_LARGE (413) to an e-CPS API call over 16 KiB, announced or streamed', async () => {
    const padding = 'x'.repeat(20_000);
    const announced = await post('/ecps/api/activation/demande', JSON.stringify({ idnat: GP, padding }));
    assert.equal(announced.status, 413);
    const { error } = await announced.json();
    assert.equal(error.code, 'REQUEST_TOO_LARGE');
    assert.match(error.message, /16384 octets au plus/);

    // Chunked, without Content-Length, and endless: counted while it arrives, so the answer
    // comes once 16 KiB are in (a server reading to the end first would never answer).
    const chunk = new TextEncoder().encode('x'.repeat(1000));
    const streamed = await post(
      '/ecps/api/activation/demande',
      new ReadableStream({
        pull(controller) {
          controller.enqueue(chunk);
        },
      }),
      {},
      AbortSignal.timeout(10_000),
    );
    assert.equal(streamed.status, 413);
    const streamedError = (await streamed.json()).error;
    assert.equal(streamedError.code, 'REQUEST_TOO_LARGE');
    // The API's own 16 KiB, not the 1 MiB every route has.
    assert.match(streamedError.message, /16384 octets au plus/);

    // Under the limit, the call is read and answered on its merits.
    const small = await post(
      '/ecps/api/activation/demande',
      JSON.stringify({ idnat: GP, padding: 'x'.repeat(15_000) }),
    );
    assert.equal(small.status, 200, await small.clone().text());
  });

  it('answers REQUEST_TOO_LARGE to a 2 MiB form anywhere else', async () => {
    const form = await post('/ecps/portail/oubli', `a=${'x'.repeat(2 * 1024 * 1024)}`, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    assert.equal(form.status, 413);
    assert.equal((await form.json()).error.code, 'REQUEST_TOO_LARGE');
  });

  // Refused by Node's HTTP parser before any handler: our page with its code and the security
  // headers, not a bare status line.
  it('answers REQUEST_HEADERS_TOO_LARGE (431) to a 20 KB authorization URL', async () => {
    const response = await idp.fetch(
      `${idp.base}/protocol/openid-connect/auth?client_id=x&state=${'a'.repeat(20_000)}`,
      { redirect: 'manual' },
    );
    assert.equal(response.status, 431);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const body = await response.text();
    assert.match(body, /REQUEST_HEADERS_TOO_LARGE/);
    assert.match(body, /trop longs : 16384 octets au plus/);
  });

  it('answers HTTP_REQUEST_MALFORMED (400) to bytes that are no HTTP', async () => {
    const { port } = new URL(idp.base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'),
      );
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk;
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /content-security-policy: default-src 'self'/i);
    assert.match(answer, /HTTP_REQUEST_MALFORMED/);
  });
});

/** A TCP proxy to PostgreSQL that the test stops and restarts on the same port. */
async function startProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listening = false;
  const up = () =>
    new Promise<void>((resolve) => {
      if (listening) return resolve();
      listening = true;
      server = createServer((client) => {
        const upstream = createConnection(target);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      listening = false;
      for (const socket of sockets) socket.destroy();
      server?.close(() => resolve());
    });
  await up();
  return { port, up, down };
}

const postgres = storeCases().find((storeCase) => storeCase.kind === 'postgres');
const databaseUrl = process.env.CADUCEE_TEST_DATABASE_URL;

/**
 * The database goes away under a running provider node and comes back: /health/ready answers 503
 * meanwhile and requests that need the database fail with STORE_UNAVAILABLE; once it is back,
 * the same process answers again, without a restart.
 */
describe('HTTP: PostgreSQL unavailable, then back', {
  skip: !(postgres && databaseUrl) && 'needs CADUCEE_TEST_DATABASE_URL',
}, () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let opened: OpenedStore;
  let idp: Awaited<ReturnType<typeof startIdp>>;
  const schema = `caducee_test_${randomBytes(6).toString('hex')}`;
  const proxyTarget = () => {
    const direct = new URL(databaseUrl!);
    return { host: direct.hostname, port: Number(direct.port || 5432) };
  };
  const viaProxyUrl = () => {
    const url = new URL(databaseUrl!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  };

  before(async () => {
    proxy = await startProxy(proxyTarget());
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const store = await migrated(openPostgresStore(viaProxyUrl(), { schema }));
    opened = {
      store,
      env: {},
      async dispose() {
        await store.close();
        const cleanup = new pg.Client({ connectionString: databaseUrl });
        await cleanup.connect();
        await cleanup.query(`drop schema ${schema} cascade`);
        await cleanup.end();
      },
    };
    idp = await startIdp(opened);
  });
  after(async () => {
    await idp?.server.close();
    idp?.test.dispose();
    await proxy?.up();
    await opened?.dispose();
    await proxy?.down();
  });

  it('answers 503 while the database is away and recovers by itself', async () => {
    const person = `${idp.base}/api/directory/persons/${GP}`;
    assert.equal((await idp.fetch(`${idp.base}/health/ready`)).status, 200);
    assert.equal((await idp.fetch(person)).status, 200);

    await proxy.down();
    // Let the pool see its idle connections close (a query caught in flight is the next test).
    await sleep(300);
    const ready = await idp.fetch(`${idp.base}/health/ready`);
    assert.equal(ready.status, 503);
    const readyBody = await ready.json();
    assert.equal(readyBody.status, 'unavailable');
    assert.equal(readyBody.error.code, 'STORE_UNAVAILABLE');
    assert.doesNotMatch(readyBody.error.message, /127\.0\.0\.1|ECONN/, 'no address on a public endpoint');

    const failed = await idp.fetch(person);
    assert.equal(failed.status, 503);
    const { error } = await failed.json();
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.match(error.message, /La base de données \(PostgreSQL\) ne répond pas/);
    assert.match(error.hint, /réessayez/);
    const page = await idp.fetch(`${idp.base}/api/directory/persons/${GP}`, {
      headers: { accept: 'text/html' },
    });
    assert.equal(page.status, 503);

    await proxy.up();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await idp.fetch(`${idp.base}/health/ready`)).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'ready again without a restart');
    const back = await idp.fetch(person);
    assert.equal(back.status, 200);
    assert.equal((await back.json()).nationalId, GP);
  });

  // The pool hands a query's connection to the caller without an 'error' listener; when the
  // server goes away in the middle of that query, pg emits 'error' on the client after
  // rejecting the query, and an 'error' event nobody listens to would end the process (the
  // PostgreSQL store now listens on every client the pool connects).
  it('survives a connection dropped in the middle of a query', async () => {
    // Its own proxy: when the failure is reported, the runner moves on while this body finishes.
    const own = await startProxy(proxyTarget());
    const url = new URL(databaseUrl!);
    url.hostname = '127.0.0.1';
    url.port = String(own.port);
    const store = openPostgresStore(url.toString(), { schema });
    try {
      const query = sql`select pg_sleep(1)`.execute(store.db);
      await sleep(200);
      await own.down();
      await assert.rejects(query, /Connection terminated|ECONNRESET/);
      await sleep(200);
    } finally {
      await store.close();
    }
  });
});

const redisUrl = process.env.CADUCEE_TEST_REDIS_URL;

/**
 * Redis goes away under a provider node of the scale-out mode and comes back: /health/ready
 * answers 503 meanwhile, the token and authorization endpoints (whose state and counters are in
 * Redis) answer 503 with a message that says so, and the same process serves again once it is back.
 */
describe('HTTP: Redis unavailable, then back', {
  skip: !redisUrl && 'needs CADUCEE_TEST_REDIS_URL',
}, () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let opened: OpenedStore;
  let test: Awaited<ReturnType<typeof testSystem>>;
  let server: Awaited<ReturnType<typeof startIdpServer>>;
  let fetch: ReturnType<typeof trustingFetch>;
  const clientId = `redis-down-${randomBytes(4).toString('hex')}`;
  const secret = randomBytes(24).toString('base64url');
  const viaProxy = () => {
    const url = new URL(redisUrl!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  };

  before(async () => {
    const direct = new URL(redisUrl!);
    proxy = await startProxy({ host: direct.hostname, port: Number(direct.port || 6379) });
    opened = await storeCases()[0]!.open();
    test = await testSystem(opened, { redisUrl: viaProxy() });
    await registerWebClient(test.system, {
      client_id: clientId,
      client_name: 'Service de test',
      client_secret: secret,
      redirect_uris: ['https://rp.example.test/callback'],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    server = await startIdpServer(test.system, log, test.ports.idp);
    fetch = trustingFetch((await test.system.tls()).caPem);
  });
  after(async () => {
    await server?.close();
    await test?.system.events().close();
    test?.system.redis()?.disconnect();
    test?.dispose();
    await opened?.dispose();
    await proxy?.down();
  });

  const token = () =>
    fetch(`${server.url}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
  const authorize = () =>
    fetch(
      `${server.url}/protocol/openid-connect/auth?${new URLSearchParams({
        client_id: clientId,
        redirect_uri: 'https://rp.example.test/callback',
        response_type: 'code',
        scope: 'openid scope_all',
        state: 'etat',
        nonce: 'nonce',
      })}`,
      { redirect: 'manual', headers: { accept: 'text/html' } },
    );

  it('answers 503 while Redis is away and recovers by itself', async () => {
    assert.equal((await fetch(`${server.url}/health/ready`)).status, 200);
    const before = await token();
    assert.equal(before.status, 200, await before.clone().text());
    const started = await authorize();
    assert.equal(started.status, 303, await started.clone().text());

    await proxy.down();
    const ready = await fetch(`${server.url}/health/ready`);
    assert.equal(ready.status, 503);
    const readyBody = await ready.json();
    assert.equal(readyBody.error.code, 'STORE_UNAVAILABLE');
    assert.match(readyBody.error.message, /Redis/);
    assert.doesNotMatch(
      readyBody.error.message,
      /127\.0\.0\.1|ECONN|:\d{4,5}/,
      'no address on a public endpoint',
    );

    // Thrown by the rate limits' Redis counters, before oidc-provider's own error handling.
    const refused = await token();
    assert.equal(refused.status, 503, await refused.clone().text());
    assert.match(refused.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const refusal = await refused.json();
    assert.equal(refusal.error, 'temporarily_unavailable');
    assert.match(refusal.error_description, /Redis/);
    assert.doesNotMatch(refusal.error_description, /127\.0\.0\.1|ECONN/);

    // Thrown by oidc-provider's Redis adapter, inside its own error handling.
    const page = await authorize();
    assert.equal(page.status, 503);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    assert.match(html, /Redis/);
    assert.match(html, /STORE_UNAVAILABLE/);

    await proxy.up();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await fetch(`${server.url}/health/ready`)).status;
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'ready again without a restart');
    const after = await token();
    assert.equal(after.status, 200, await after.clone().text());
    assert.equal((await authorize()).status, 303);
  });
});
