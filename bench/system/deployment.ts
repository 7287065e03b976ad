/**
 * A deployment to measure: a temporary data directory, a store (embedded SQLite file, or a fresh
 * PostgreSQL schema with Redis), the data set (professionals imported from a synthetic extract,
 * registered clients, activated e-CPS devices, CPS cards), then the servers in processes of
 * their own: on PostgreSQL + Redis one node per service (`caducee serve idp`, `caducee serve
 * card-host`, and `serve espace-medecin` when asked), as a scale-out deployment runs them; on the
 * embedded store one process serving them all, as `caducee start` does (embedded-server.ts).
 * Mail goes over SMTP to the driver's mailbox (mailbox.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openSystem } from '../../src/cli/system.ts';
import { type EcpsDb, loadPinKey } from '../../src/ecps/index.ts';
import { clientRow, loadClientSecretKey, type OidcDb } from '../../src/oidc/index.ts';
import { loadSettings, migrate, openPostgresStore, openRedis, openStore } from '../../src/platform/index.ts';
import {
  ESPACE_MEDECIN_STORE,
  type EspaceMedecinDb,
  espaceMedecinMigrations,
  hashPassword,
} from '../../src/rp/espace-medecin/index.ts';
import { type DeviceKey, deviceKeyOf } from '../../src/wallet/index.ts';
import { writeSyntheticExtract } from '../extract-generator.ts';
import { keepAliveAgent, send } from './http.ts';
import { Mailbox } from './mailbox.ts';
import type { MemoryProbe } from './memory.ts';

const CADUCEE = fileURLToPath(new URL('../../bin/caducee.js', import.meta.url));
const EMBEDDED_SERVER = fileURLToPath(new URL('./embedded-server.ts', import.meta.url));
const ESPACE_MEDECIN_SERVER = fileURLToPath(new URL('./espace-medecin-server.ts', import.meta.url));
const SEED = 20261201;

export type StoreKind = 'sqlite' | 'postgres';

export interface DataSetOptions {
  professionals: number;
  clients: number;
  /** Professionals whose e-CPS is active (a pool the phone scenarios draw from). */
  devices: number;
  /** Professionals holding a virtual CPS card (RSA 2048 keys: slower to make). */
  cards: number;
  /** Espace médecin accounts with a password (argon2id: about 10 ms each to make). */
  accounts: number;
}

export interface BenchClient {
  clientId: string;
  secret: string;
  redirectUri: string;
}

export interface BenchDevice {
  deviceId: string;
  idnat: string;
  pin: string;
  key: DeviceKey;
}

/** An espace médecin account, as a first provider login and the creation form leave it. */
export interface BenchAccount {
  idnat: string;
  email: string;
  password: string;
}

export interface BenchCard {
  idnat: string;
  /** The card's PKCS#12 opened once (key and certificate), for the driver's TLS connections. */
  secureContext: SecureContext;
}

export interface Deployment {
  store: StoreKind;
  description: string;
  dataDir: string;
  issuer: string;
  cardHostUrl: string;
  caPem: string;
  professionals: string[];
  clients: BenchClient[];
  devices: BenchDevice[];
  cards: BenchCard[];
  /** Process ids of the servers (their trees are measured). */
  pids: number[];
  /** Each server process's `/metrics`, for the soak's memory samples. */
  memoryProbes: MemoryProbe[];
  /** The espace médecin, when asked for: its URL, the processes serving it, its accounts. */
  espaceMedecin?: { url: string; pids: number[]; accounts: BenchAccount[] };
  /** Where the deployment's e-mail goes (SMTP), read by the driver. */
  mailbox: Mailbox;
  setupSeconds: Record<string, number>;
  stop(): Promise<void>;
}

export interface StoreTarget {
  kind: StoreKind;
  /** PostgreSQL + Redis only. */
  databaseUrl?: string;
  redisUrl?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

const log = (message: string) => process.stderr.write(`[system] ${message}\n`);

/** Redis database the bench uses when the URL names none: its counters must not meet another deployment's. */
export const DEFAULT_REDIS_DATABASE = 11;

export function benchRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '' || parsed.pathname === '/') parsed.pathname = `/${DEFAULT_REDIS_DATABASE}`;
  return parsed.toString();
}

async function createSchema(url: string): Promise<{ schema: string; url: string }> {
  const schema = `caducee_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const separator = url.includes('?') ? '&' : '?';
  return { schema, url: `${url}${separator}options=-c%20search_path%3D${schema}` };
}

/** The deployment's schema and the espace médecin's (`<schema>_em`), if it was made. */
async function dropSchemas(url: string, schema: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.query(`drop schema if exists ${schema}_em cascade`);
  await admin.end();
}

/** Clears the attempt counters a previous run left (10-minute windows) in the bench's database. */
async function clearLoginCounters(redisUrl: string) {
  const redis = openRedis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'caducee:rl:*', 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function pick<T>(items: T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

async function timed<T>(times: Record<string, number>, name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  times[name] = Math.round((performance.now() - started) / 100) / 10;
  log(`${name}: ${times[name]} s`);
  return result;
}

/** A 4-digit PIN the e-CPS accepts (not four equal digits, not a run). */
function randomPin(): string {
  for (;;) {
    const pin = String(Math.floor(Math.random() * 10_000)).padStart(4, '0');
    const steps = new Set([...pin].slice(1).map((digit, index) => Number(digit) - Number(pin[index])));
    if (!(steps.size === 1 && [0, 1, -1].includes([...steps][0]!))) return pin;
  }
}

/** Accounts made `parallel` at a time (the hashes run on libuv's threads). */
async function makeAccounts(
  db: EspaceMedecinDb,
  idnats: string[],
  parallel: number,
): Promise<BenchAccount[]> {
  const accounts: BenchAccount[] = [];
  const now = new Date().toISOString();
  for (let i = 0; i < idnats.length; i += parallel) {
    const batch = await Promise.all(
      idnats.slice(i, i + parallel).map(async (idnat, j) => {
        const password = `Bench-${randomBytes(9).toString('base64url')}-${i + j}`;
        const account: BenchAccount = { idnat, email: `${idnat}@bench.invalid`, password };
        const row = {
          id: randomUUID(),
          idnat,
          family_name: 'Banc',
          given_name: `Professionnel ${i + j}`,
          profession_code: '10',
          profession_label: 'Médecin',
          specialty_code: 'SM54',
          specialty_label: 'Médecine générale',
          email: account.email,
          phone: '',
          address: '',
          postcode: '75001',
          city: 'Paris',
          password_hash: await hashPassword(password),
          created_by: 'card',
          charter_accepted_at: now,
          created_at: now,
          updated_at: now,
        };
        return { account, row };
      }),
    );
    await db
      .insertInto('account')
      .values(batch.map((item) => item.row))
      .execute();
    accounts.push(...batch.map((item) => item.account));
  }
  return accounts;
}

export async function startDeployment(
  target: StoreTarget,
  data: DataSetOptions,
  serverNodeArgs: string[],
  options: { espaceMedecin?: boolean } = {},
): Promise<Deployment> {
  const setupSeconds: Record<string, number> = {};
  const dataDir = mkdtempSync(path.join(tmpdir(), `caducee-bench-${target.kind}-`));
  const [idpPort, cardHostPort, outboxPort, catcherPort, espaceMedecinPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const issuer = `https://127.0.0.1:${idpPort}`;
  const cardHostUrl = `https://127.0.0.1:${cardHostPort}`;
  const espaceMedecinUrl = `http://127.0.0.1:${espaceMedecinPort}`;
  const mailbox = new Mailbox();
  const smtpPort = await mailbox.start();
  let schema: string | undefined;
  const env: Record<string, string> = {
    CADUCEE_DATA_DIR: dataDir,
    CADUCEE_IDP_URL: issuer,
    CADUCEE_CARD_HOST_URL: cardHostUrl,
    CADUCEE_ESPACE_MEDECIN_URL: espaceMedecinUrl,
    CADUCEE_OUTBOX_URL: `http://127.0.0.1:${outboxPort}`,
    CADUCEE_MESSAGING_CATCHER_PORT: String(catcherPort),
    // The professionals' mail relay: the driver's SMTP server.
    CADUCEE_MESSAGING_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    CADUCEE_LOG_LEVEL: 'warn',
    // Every browser and relying party of the bench comes from 127.0.0.1 and each professional,
    // card and client of the pools is used many times: the push-bombing guards and the
    // per-address, per-card and per-client limits are raised to their largest values.
    CADUCEE_ECPS_LOGIN_REQUESTS_PER_IDENTIFIER: '1000',
    CADUCEE_ECPS_LOGIN_REQUESTS_PER_ADDRESS: '100000',
    CADUCEE_RATE_LIMITS_CARD_LOGINS_PER_ADDRESS: '1000000',
    CADUCEE_RATE_LIMITS_CARD_LOGINS_PER_CARD: '10000',
    CADUCEE_RATE_LIMITS_LOGIN_FORM_PER_ADDRESS: '1000000',
    CADUCEE_RATE_LIMITS_OAUTH_REQUESTS_PER_ADDRESS: '1000000',
    CADUCEE_RATE_LIMITS_OAUTH_REQUESTS_PER_CLIENT: '1000000',
  };
  // Settings of the servers for an A/B comparison, e.g. "CADUCEE_OIDC_CLIENT_CACHE_SIZE=100".
  for (const pair of (process.env.CADUCEE_BENCH_SERVER_ENV ?? '').split(/\s+/).filter(Boolean)) {
    const [name, ...value] = pair.split('=');
    env[name!] = value.join('=');
  }
  if (target.kind === 'postgres') {
    const created = await createSchema(target.databaseUrl!);
    schema = created.schema;
    env.CADUCEE_DATABASE_URL = created.url;
    env.CADUCEE_REDIS_URL = target.redisUrl!;
    await clearLoginCounters(target.redisUrl!);
  }
  // For the bench's own server entries only: the settings refuse unknown CADUCEE_* names.
  const benchEnv: Record<string, string> = {};
  if (options.espaceMedecin) {
    benchEnv.BENCH_ESPACE_MEDECIN = '1';
    if (schema) {
      benchEnv.BENCH_ESPACE_MEDECIN_DATABASE_URL = target.databaseUrl!;
      benchEnv.BENCH_ESPACE_MEDECIN_SCHEMA = `${schema}_em`;
    }
  }
  const description =
    target.kind === 'postgres'
      ? `PostgreSQL (schema ${schema}) + Redis (${new URL(target.redisUrl!).pathname.slice(1) || '0'})`
      : 'embedded SQLite file';
  log(`${target.kind}: data in ${dataDir}`);

  const system = await openSystem(loadSettings({ env, cwd: dataDir }));
  let professionals: string[];
  const clients: BenchClient[] = [];
  const devices: BenchDevice[] = [];
  const cards: BenchCard[] = [];
  let accounts: BenchAccount[] = [];
  let caPem: string;
  try {
    professionals = await timed(setupSeconds, 'directory import', async () => {
      const file = path.join(dataDir, 'PS_LibreAcces_Personne_activite_202612010000.txt');
      await writeSyntheticExtract(file, data.professionals * 4, SEED, { persons: data.professionals });
      const summary = await system.directory.importExtracts([file]);
      rmSync(file);
      if (summary.persons.created !== data.professionals)
        throw new Error(`imported ${summary.persons.created} persons, expected ${data.professionals}`);
      return system.directory.activeIds(data.professionals * 2);
    });

    await timed(setupSeconds, 'clients', async () => {
      const db = system.store.db as OidcDb;
      const secretKey = loadClientSecretKey(system.settings);
      const now = new Date();
      const rows = [];
      for (let i = 0; i < data.clients; i++) {
        const client: BenchClient = {
          clientId: `bench-${String(i).padStart(5, '0')}`,
          secret: randomBytes(32).toString('base64url'),
          redirectUri: `https://rp${i}.bench.invalid/callback`,
        };
        clients.push(client);
        // What `caducee client add` stores, with every grant the scenarios use.
        const metadata = {
          client_id: client.clientId,
          client_name: `Service ${i}`,
          client_secret: client.secret,
          redirect_uris: [client.redirectUri],
          post_logout_redirect_uris: [],
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: [
            'authorization_code',
            'refresh_token',
            'client_credentials',
            'urn:openid:params:grant-type:ciba',
          ],
          response_types: ['code'],
          backchannel_token_delivery_mode: 'poll',
        };
        // Sealed as `caducee client add` seals it, so the servers start on what they would find.
        rows.push(clientRow(secretKey, metadata, now));
      }
      for (let i = 0; i < rows.length; i += 500) {
        await db
          .insertInto('oidc_client')
          .values(rows.slice(i, i + 500))
          .execute();
      }
    });

    await timed(setupSeconds, 'e-CPS devices', async () => {
      const db = system.store.db as EcpsDb;
      const pinKey = loadPinKey(system.settings);
      const now = new Date();
      const expires = new Date(now.getTime() + 365 * 86_400_000).toISOString();
      const rows = [];
      for (const idnat of pick(professionals, data.devices)) {
        const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
          'sign',
          'verify',
        ])) as webcrypto.CryptoKeyPair;
        const key = await deviceKeyOf(pair.privateKey, pair.publicKey);
        const deviceId = randomUUID();
        const pin = randomPin();
        devices.push({ deviceId, idnat, pin, key });
        // What an activation leaves: the public key, and the PIN only as HMAC(key, deviceId:pin)
        // under the deployment's PIN key (docs/ecps.md, "Security rules").
        rows.push({
          id: deviceId,
          idnat,
          public_jwk: JSON.stringify(key.publicJwk),
          status: 'active' as const,
          pin_mac: createHmac('sha256', pinKey).update(`${deviceId}:${pin}`).digest('base64url'),
          pin_failures: 0,
          activation_mode: 'mail_sms' as const,
          name: 'Téléphone de test',
          model: 'Bench',
          os: 'Node.js',
          app_version: 'bench',
          created_at: now.toISOString(),
          activated_at: now.toISOString(),
          expires_at: expires,
          last_used_at: null,
          revoked_at: null,
          reminder_sent_at: null,
          push_subscription: null,
        });
      }
      for (let i = 0; i < rows.length; i += 200) {
        await db
          .insertInto('ecps_device')
          .values(rows.slice(i, i + 200))
          .execute();
      }
    });

    await timed(setupSeconds, 'CPS cards', async () => {
      const issuer = await system.cards();
      const dir = path.join(dataDir, 'cards');
      mkdirSync(dir, { recursive: true });
      for (const idnat of pick(professionals, data.cards)) {
        const pin = randomPin();
        const card = await issuer.issue(idnat, { pin, out: path.join(dir, `${idnat}.p12`), actor: 'bench' });
        cards.push({
          idnat,
          secureContext: createSecureContext({ pfx: readFileSync(card.file), passphrase: pin }),
        });
      }
    });
    if (options.espaceMedecin) {
      accounts = await timed(setupSeconds, 'espace médecin accounts', async () => {
        // Its own database, as its server opens it: a SQLite file, or the bench's own schema.
        const store = schema
          ? openPostgresStore(target.databaseUrl!, { schema: `${schema}_em` })
          : openStore(system.settings, ESPACE_MEDECIN_STORE);
        try {
          await migrate(store, espaceMedecinMigrations());
          return await makeAccounts(
            store.db as EspaceMedecinDb,
            pick(professionals, data.accounts),
            availableParallelism() * 2,
          );
        } finally {
          await store.close();
        }
      });
    }
    caPem = (await system.tls()).caPem;
  } catch (error) {
    await system.close();
    await mailbox.close();
    if (schema) await dropSchemas(target.databaseUrl!, schema).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  await system.close();

  // The servers: one process per service, as `caducee serve` runs them on a node.
  const logFile = path.join(dataDir, 'servers.log');
  const logFd = openSync(logFile, 'a');
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CADUCEE_') && name !== 'NODE_OPTIONS'),
  );
  const children: ChildProcess[] = [];
  const startServer = (args: string[]) => {
    const child = spawn(process.execPath, [...serverNodeArgs, ...args], {
      env: { ...childEnv, ...env, ...benchEnv },
      stdio: ['ignore', logFd, logFd],
      cwd: dataDir,
    });
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    closeSync(logFd);
    await mailbox.close();
    if (process.env.CADUCEE_BENCH_KEEP === '1') {
      log(`kept ${dataDir}${schema ? ` and schemas ${schema}, ${schema}_em` : ''}`);
      return;
    }
    if (schema) await dropSchemas(target.databaseUrl!, schema).catch((error) => log(String(error)));
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await timed(setupSeconds, 'servers ready', async () => {
      if (target.kind === 'sqlite') startServer([EMBEDDED_SERVER]);
      else {
        startServer([CADUCEE, 'serve', 'idp']);
        startServer([CADUCEE, 'serve', 'card-host']);
        if (options.espaceMedecin) startServer([ESPACE_MEDECIN_SERVER]);
      }
      const agent = keepAliveAgent(caPem, 2);
      const deadline = Date.now() + 120_000;
      const ready = [`${issuer}/health/ready`, `${cardHostUrl}/health/ready`];
      if (options.espaceMedecin) ready.push(`${espaceMedecinUrl}/health/ready`);
      for (const url of ready) {
        for (;;) {
          if (children.some((child) => child.exitCode !== null))
            throw new Error(`a server exited at start; see ${logFile}:\n${readFileSync(logFile, 'utf8')}`);
          const reply = await send(agent, url).catch(() => undefined);
          if (reply?.status === 200) break;
          if (Date.now() > deadline) throw new Error(`${url} not ready after 120 s; see ${logFile}`);
          await sleep(200);
        }
      }
      await agent.close();
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    store: target.kind,
    description,
    dataDir,
    issuer,
    cardHostUrl,
    caPem,
    professionals,
    clients,
    devices,
    cards,
    pids: children.map((child) => child.pid!),
    memoryProbes:
      target.kind === 'sqlite'
        ? [{ name: 'embedded', url: `${issuer}/metrics` }]
        : [
            { name: 'idp', url: `${issuer}/metrics` },
            { name: 'card-host', url: `${cardHostUrl}/metrics` },
            ...(options.espaceMedecin
              ? [{ name: 'espace-medecin', url: `${espaceMedecinUrl}/metrics` }]
              : []),
          ],
    espaceMedecin: options.espaceMedecin
      ? {
          url: espaceMedecinUrl,
          // Embedded: the one process serving everything; scale-out: its own node.
          pids: [children.at(-1)!.pid!],
          accounts,
        }
      : undefined,
    mailbox,
    setupSeconds,
    stop,
  };
}

/** S256 PKCE pair. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
