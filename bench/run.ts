/**
 * `npm run bench [-- --only NAME[,NAME]] [options]`: runs the benchmarks, prints a table per
 * benchmark and writes `bench/out/results-<date>.json`. `--help` lists the names and options.
 *
 * - `directory`: the directory import, lookups and searches (in process, embedded store);
 * - `password`: the raw argon2id rate the espace médecin's password logins compare with;
 * - the whole-system scenarios (`http-floor`, `login-ecps`, `login-card`, `login-password`,
 *   `ciba`, `refresh`, `refresh-tls`, `client-credentials`, `client-credentials-tls`, `userinfo`,
 *   `introspection`, or `system` for all of them): servers started as separate processes, loaded
 *   from this process over loopback, measured per CPU-second of the server process tree, on each
 *   store asked for. `login-password` takes the `password` measure again just before its open
 *   phase: its target is a fraction of that rate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchDirectory, directoryTable } from './directory.ts';
import { benchPassword, passwordTable } from './password.ts';
import { benchRedisUrl, type StoreTarget } from './system/deployment.ts';
import { benchSystem, SYSTEM_SCENARIOS, systemTable } from './system/system.ts';

const HELP = `usage: npm run bench -- [--only NAME[,NAME]] [options]

benchmarks (default: all):
  directory               directory import (embedded store), lookups and searches
  password                raw argon2id rate (the espace médecin's parameters)
  system                  every whole-system scenario below
  http-floor              GET /health/live, keep-alive: the cost of any request
  login-ecps              complete e-CPS logins (authorization code + PKCE)
  login-card              complete CPS card logins (new TLS connection with the card per login)
  login-password          espace médecin logins by identifier + password + e-mailed code, with a
                          userinfo stream beside them; compared with the raw argon2id rate,
                          measured just before
  ciba                    CIBA e-CPS round trips
  refresh, refresh-tls    refresh token grants (keep-alive / new TLS connection per request)
  client-credentials, client-credentials-tls
                          client credentials grants (keep-alive / new TLS connection per request)
  userinfo, introspection keep-alive

directory:
  --lines N               lines of the synthetic extract (default 1000000; CADUCEE_BENCH_LINES)

whole system:
  --stores LIST           sqlite,postgres (default: both; postgres needs CADUCEE_BENCH_DATABASE_URL
                          and CADUCEE_BENCH_REDIS_URL, else CADUCEE_TEST_DATABASE_URL/_REDIS_URL)
  --professionals N       directory persons (default 20000)
  --clients N             registered clients (default 20000)
  --devices N             professionals with an active e-CPS (default 2000)
  --cards N               professionals with a virtual CPS card (default 50)
  --accounts N            espace médecin accounts with a password (default 1000; each may get
                          10 e-mailed codes an hour, so at most 10 × N password logins an hour)
  --sessions N            logged-in sessions for refresh/userinfo/introspection (default 200)
  --warmup S              warm-up seconds per scenario, 4 virtual users (default 2)
  --step S                seconds per concurrency level of the sweep (default 2)
  --levels LIST           concurrency levels of the sweep (default 1,2,4,8,16,32,64)
  --duration S            seconds of the open arrival-rate phase (default 8)
  --rate N                open phase at N operations/s (default: --rate-fraction × the sweep's peak)
  --rate-fraction F       default 0.5
  --userinfo-rate N       userinfo requests/s beside the login-password open phase (default 25)
  --soak S                after the sweep of --soak-scenario, S seconds at half its peak,
                          RSS sampled every 10 s (e.g. --soak 600)
  --soak-scenario NAME    default login-ecps
  --password-seconds S    duration of the argon2id measure (default 5; also before login-password)

env: CADUCEE_BENCH_KEEP=1 keeps the temporary data (and PostgreSQL schema);
     CADUCEE_BENCH_CHILD_ARGS adds node options to the directory import child;
     CADUCEE_BENCH_SERVER_ARGS adds node options to the servers (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof)
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function positive(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!(value > 0) || (integer && !Number.isInteger(value)))
    fail(`--${name}: a positive ${integer ? 'integer' : 'number'} expected, got ${raw}`);
  return value;
}

const list = (values: string[] | undefined) =>
  (values ?? []).flatMap((value) => value.split(',')).filter(Boolean);

function parseOptions() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      lines: { type: 'string' },
      stores: { type: 'string' },
      professionals: { type: 'string' },
      clients: { type: 'string' },
      devices: { type: 'string' },
      cards: { type: 'string' },
      accounts: { type: 'string' },
      'userinfo-rate': { type: 'string' },
      sessions: { type: 'string' },
      warmup: { type: 'string' },
      step: { type: 'string' },
      levels: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      'rate-fraction': { type: 'string' },
      soak: { type: 'string' },
      'soak-scenario': { type: 'string' },
      'password-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const known = ['directory', 'password', 'system', ...SYSTEM_SCENARIOS];
  const names = list(values.only);
  for (const name of names) {
    if (!known.includes(name)) fail(`--only: unknown benchmark ${name} (known: ${known.join(', ')})`);
  }
  const all = names.length === 0;
  const scenarios = SYSTEM_SCENARIOS.filter(
    (name) => all || names.includes('system') || names.includes(name),
  );

  const databaseUrl = process.env.CADUCEE_BENCH_DATABASE_URL || process.env.CADUCEE_TEST_DATABASE_URL;
  const redisUrl = process.env.CADUCEE_BENCH_REDIS_URL || process.env.CADUCEE_TEST_REDIS_URL;
  const storeNames = values.stores ? list([values.stores]) : ['sqlite', 'postgres'];
  const stores: StoreTarget[] = [];
  for (const name of storeNames) {
    if (name === 'sqlite') stores.push({ kind: 'sqlite' });
    else if (name === 'postgres') {
      if (databaseUrl && redisUrl)
        stores.push({ kind: 'postgres', databaseUrl, redisUrl: benchRedisUrl(redisUrl) });
      else if (values.stores)
        fail('--stores postgres: set CADUCEE_BENCH_DATABASE_URL and CADUCEE_BENCH_REDIS_URL');
      else
        process.stderr.write('PostgreSQL + Redis skipped: CADUCEE_BENCH_DATABASE_URL / _REDIS_URL not set\n');
    } else fail(`--stores: unknown store ${name} (sqlite, postgres)`);
  }
  const soakSeconds = values.soak === undefined ? undefined : positive('soak', values.soak, 600);
  const soakScenario = values['soak-scenario'] ?? 'login-ecps';
  if (!SYSTEM_SCENARIOS.includes(soakScenario)) fail(`--soak-scenario: unknown scenario ${soakScenario}`);
  if (soakSeconds && !scenarios.includes(soakScenario))
    fail(`--soak: the scenario ${soakScenario} is not selected (--only)`);
  const passwordSeconds = positive('password-seconds', values['password-seconds'], 5, false);
  const levels = values.levels
    ? list([values.levels]).map((level) => positive('levels', level, 1))
    : [1, 2, 4, 8, 16, 32, 64];

  return {
    directory: all || names.includes('directory'),
    password: all || names.includes('password'),
    lines: positive('lines', values.lines ?? process.env.CADUCEE_BENCH_LINES, 1_000_000),
    passwordSeconds,
    system: {
      scenarios,
      stores,
      data: {
        professionals: positive('professionals', values.professionals, 20_000),
        clients: positive('clients', values.clients, 20_000),
        devices: positive('devices', values.devices, 2_000),
        cards: positive('cards', values.cards, 50),
        accounts: positive('accounts', values.accounts, 1_000),
      },
      sessions: positive('sessions', values.sessions, 200),
      warmupSeconds: positive('warmup', values.warmup, 2, false),
      stepSeconds: positive('step', values.step, 2, false),
      levels,
      openSeconds: positive('duration', values.duration, 8, false),
      rate: values.rate === undefined ? undefined : positive('rate', values.rate, 1, false),
      rateFraction: positive('rate-fraction', values['rate-fraction'], 0.5, false),
      soak: soakSeconds ? { seconds: soakSeconds, scenario: soakScenario } : undefined,
      userinfoRate: positive('userinfo-rate', values['userinfo-rate'], 25, false),
      passwordSeconds,
      serverNodeArgs: (process.env.CADUCEE_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean),
    },
  };
}

function machine() {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    /** 1-minute load average at the start: other work on the machine skews wall-clock figures. */
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function printTable(title: string, rows: Array<[string, string]>) {
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
}

const options = parseOptions();
const host = machine();
const date = new Date();
process.stdout.write(
  `machine: ${host.cores} cores, ${host.cpu}, ${host.memoryGb} GB, Node ${host.node}, ${host.platform}, load ${host.loadAverage}\n`,
);
const results: Record<string, unknown> = {};
if (options.directory) {
  const result = await benchDirectory({ lines: options.lines });
  results.directory = result;
  printTable('directory', directoryTable(result));
}
if (options.password) {
  const result = await benchPassword(options.passwordSeconds);
  results.password = result;
  printTable('password (argon2id)', passwordTable(result));
}
if (options.system.scenarios.length > 0 && options.system.stores.length > 0) {
  const result = await benchSystem(options.system);
  results.system = result;
  printTable('whole system (per CPU-second of the server process tree)', systemTable(result));
}
const loadAverageAtEnd = Math.round(os.loadavg()[0]! * 100) / 100;
process.stdout.write(`\nload average at the end: ${loadAverageAtEnd}\n`);
const outDir = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `results-${date.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  outFile,
  `${JSON.stringify({ date: date.toISOString(), machine: { ...host, loadAverageAtEnd }, options, results }, null, 2)}\n`,
);
process.stdout.write(`\nresults written to ${path.relative(process.cwd(), outFile)}\n`);
