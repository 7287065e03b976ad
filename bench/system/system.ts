/**
 * The whole-system benchmarks: per store, one deployment with the data set, then each selected
 * scenario as warm-up → sweep to saturation → open arrival rate (→ soak when asked).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchPassword, type PasswordBenchResult } from '../password.ts';
import {
  type DataSetOptions,
  type Deployment,
  type StoreKind,
  type StoreTarget,
  startDeployment,
} from './deployment.ts';
import { exchanges, keepAliveAgent } from './http.ts';
import { closedLoop, openArrivals, type PhaseResult, sweep } from './load.ts';
import { sampleMemory } from './memory.ts';
import { treeRssMb } from './proc.ts';
import { Driver, SCENARIOS, type Scenario } from './scenarios.ts';

export interface SystemBenchOptions {
  scenarios: string[];
  stores: StoreTarget[];
  data: DataSetOptions;
  /** Logged-in sessions (e-CPS logins) that refresh, userinfo and introspection use. */
  sessions: number;
  warmupSeconds: number;
  stepSeconds: number;
  levels: number[];
  openSeconds: number;
  /** Open phase rate: this fixed rate, or `rateFraction` × the sweep's peak. */
  rate?: number;
  rateFraction: number;
  soak?: { seconds: number; scenario: string };
  /** Requests per second of the userinfo stream that runs beside the password-login open phase. */
  userinfoRate: number;
  /** Seconds of the raw argon2id measure a scenario with a target relative to it takes first. */
  passwordSeconds: number;
  serverNodeArgs: string[];
}

/** The userinfo stream beside an open phase, and alone for as long just before it. */
export interface StreamResult {
  rate: number;
  alone: PhaseResult;
  during: PhaseResult;
  /**
   * Server CPU seconds of the scenario's processes deducted for the stream: their CPU per stream
   * request when it ran alone, times the requests of the stream during the open phase.
   */
  cpuDeducted: number;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  unit: string;
  target?: number;
  warmup: PhaseResult;
  sweep: PhaseResult[];
  peak: PhaseResult;
  open: PhaseResult;
  soak?: PhaseResult;
  /** HTTP exchanges per operation (browser, phone, card, relying party), from the open phase. */
  requestsPerOperation: number;
  rssMb: { before: number; after: number };
  /** Any error in the sweep, the open phase or the soak. */
  failed: boolean;
  /** Arrivals dropped in the open phase or the soak: the rate was not held (see PhaseResult). */
  dropped: number;
  /**
   * Operations per server CPU-second in the open phase, the figure compared with the target;
   * with a userinfo stream, the CPU its processes spent on the stream alone is deducted.
   */
  opsPerServerCpuSecond: number;
  /** With a userinfo stream: the figure without that deduction. */
  opsPerServerCpuSecondWithStream?: number;
  stream?: StreamResult;
  /**
   * Target relative to argon2id: the raw rate, measured in the bench process just before the
   * open phase (the shared machine's load moves both alike), and the ratio reached.
   */
  argon2?: { raw: PasswordBenchResult; ratio: number; fraction: number };
  targetMet?: boolean;
}

export interface StoreResult {
  store: StoreKind;
  description: string;
  data: DataSetOptions & { sessions: number };
  setupSeconds: Record<string, number>;
  serverRssMbAtStart: number;
  scenarios: ScenarioResult[];
  loadAverage: { start: number; end: number };
  /** Keycloak's mix: one e-CPS login then 8 refreshes (keep-alive), per server CPU-second. */
  loginPlus8Refreshes?: number;
}

const log = (message: string) => process.stderr.write(`[system] ${message}\n`);

/** The userinfo stream beside password logins must keep this p99 (the event loop still serves). */
export const USERINFO_STREAM_P99_MS = 50;
const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;

export const SYSTEM_SCENARIOS = SCENARIOS.map((scenario) => scenario.name);

async function makeSessions(driver: Driver, count: number) {
  const started = performance.now();
  const sessions = driver.sessions;
  const worker = async () => {
    while (sessions.length < count) sessions.push(await driver.ecpsLogin());
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  sessions.length = count;
  log(`${count} sessions made by e-CPS logins in ${Math.round(performance.now() - started) / 1000} s`);
}

async function runScenario(
  scenario: Scenario,
  driver: Driver,
  deployment: Deployment,
  options: SystemBenchOptions,
): Promise<ScenarioResult> {
  const pids = scenario.pids?.(deployment) ?? deployment.pids;
  const operation = scenario.operation(driver);
  if (scenario.sessions) {
    if (driver.sessions.length < options.sessions) await makeSessions(driver, options.sessions);
    await driver.freshenSessions();
  }
  log(`${deployment.store} · ${scenario.name}: ${scenario.description}`);
  const rssBefore = treeRssMb(pids);
  const warmup = await closedLoop({
    operation,
    concurrency: 4,
    seconds: options.warmupSeconds,
    pids,
    phase: 'warm-up',
  });
  log(
    `  warm-up: ${warmup.ops} ops, ${warmup.errors} errors${warmup.errors ? ` (${warmup.errorSamples[0]})` : ''}`,
  );
  const swept = await sweep({
    operation,
    pids,
    levels: options.levels,
    stepSeconds: options.stepSeconds,
    log,
  });
  const rate = options.rate ?? Math.max(1, swept.peak.throughput * options.rateFraction);
  // Two seconds of arrivals may wait on a stalled server (a checkpoint, a pause of the shared
  // machine) before arrivals are dropped (counted apart from errors).
  const maxInFlight = Math.max(256, Math.ceil(rate * 2));
  const userinfoStream = () =>
    openArrivals({
      operation: () => driver.userinfo(),
      rate: options.userinfoRate,
      seconds: options.openSeconds,
      pids,
      maxInFlight: Math.max(256, Math.ceil(options.userinfoRate * 2)),
      phase: 'stream',
    });
  let raw: PasswordBenchResult | undefined;
  if (scenario.argon2Fraction !== undefined) {
    raw = await benchPassword(options.passwordSeconds);
    log(
      `  raw argon2id: ${raw.perCpuSecond} verifications per CPU-second (${raw.perSecond}/s with ${raw.concurrency} at once)`,
    );
  }
  let streamAlone: PhaseResult | undefined;
  if (scenario.userinfoStream) {
    await driver.freshenSessions();
    streamAlone = await userinfoStream();
    log(
      `  userinfo stream alone ${options.userinfoRate}/s: p50 ${streamAlone.latency.p50Ms} p99 ${streamAlone.latency.p99Ms} ms, errors ${streamAlone.errors}, scenario's server CPU ${streamAlone.serverCpuSeconds} s`,
    );
  }
  const exchangesBefore = exchanges.count;
  const [open, streamDuring] = await Promise.all([
    openArrivals({
      operation,
      rate,
      seconds: options.openSeconds,
      pids,
      maxInFlight,
      phase: 'open',
    }),
    scenario.userinfoStream ? userinfoStream() : undefined,
  ]);
  const operationExchanges =
    exchanges.count - exchangesBefore - (streamDuring ? streamDuring.ops + streamDuring.errors : 0);
  const requestsPerOperation =
    Math.round((operationExchanges / Math.max(1, open.ops + open.errors)) * 10) / 10;
  log(
    `  open ${open.targetRate}/s: ${open.throughput} ops/s, ${open.opsPerServerCpuSecond} ops/CPU-s, p50 ${open.latency.p50Ms} p99 ${open.latency.p99Ms} ms, errors ${open.errors}, dropped ${open.dropped}`,
  );
  let stream: StreamResult | undefined;
  let figure = open.opsPerServerCpuSecond;
  if (streamAlone && streamDuring) {
    // The stream's own CPU on the scenario's processes (all of it on the embedded store, where
    // one process serves both; about none on a separate espace médecin node), taken away: its
    // cost per request when it ran alone, times the requests it made beside the logins.
    const cpuDeducted =
      Math.round((streamAlone.serverCpuSeconds / Math.max(1, streamAlone.ops)) * streamDuring.ops * 100) /
      100;
    stream = { rate: options.userinfoRate, alone: streamAlone, during: streamDuring, cpuDeducted };
    const cpu = open.serverCpuSeconds - cpuDeducted;
    figure = cpu > 0 ? Math.round((open.ops / cpu) * 10) / 10 : Number.NaN;
    log(
      `  userinfo stream during it: p50 ${streamDuring.latency.p50Ms} p95 ${streamDuring.latency.p95Ms} p99 ${streamDuring.latency.p99Ms} ms, errors ${streamDuring.errors}, dropped ${streamDuring.dropped}; ${figure} ops/CPU-s without the stream's ${cpuDeducted} CPU-s`,
    );
  }
  let soak: PhaseResult | undefined;
  if (options.soak?.scenario === scenario.name) {
    const soakRate = Math.max(1, swept.peak.throughput / 2);
    log(`  soak: ${options.soak.seconds} s at ${soakRate.toFixed(1)}/s (half the peak)`);
    const metricsAgent = keepAliveAgent(deployment.caPem, 4);
    soak = await openArrivals({
      sampleMemory: () => sampleMemory(metricsAgent, deployment.memoryProbes),
      operation,
      rate: soakRate,
      seconds: options.soak.seconds,
      pids,
      maxInFlight: Math.max(256, Math.ceil(soakRate * 2)),
      phase: 'soak',
      rssEverySeconds: 10,
    });
    log(
      `  soak: ${soak.ops} ops, ${soak.errors} errors, RSS ${soak.rss?.[0]?.mb} → ${soak.rss?.at(-1)?.mb} MB, slope ${soak.rssSlopeMbPerMinute?.whole} MB/min (second half ${soak.rssSlopeMbPerMinute?.secondHalf})`,
    );
    await metricsAgent.close();
    for (const [name, slopes] of Object.entries(soak.memorySlopes ?? {})) {
      const first = soak.memory?.find((sample) => sample.processes[name])?.processes[name];
      const last = soak.memory?.findLast((sample) => sample.processes[name])?.processes[name];
      const floor = soak.heapFloor?.[name] ?? [];
      log(
        `  soak memory of ${name}: RSS ${first?.rssMb} → ${last?.rssMb} MB, heap floor (least heap in use per 3 min) ${floor.map((point) => point.mb).join(' ')} MB, external ${first?.externalMb} → ${last?.externalMb} MB; second-half slopes MB/min: RSS ${slopes.rssMb.secondHalf}, heap floor ${slopes.heapFloorMb.secondHalf}, external ${slopes.externalMb.secondHalf}`,
      );
    }
    // The windows with a slow operation, with what the servers and the driver were doing.
    for (const window of soak.windows ?? []) {
      if (window.maxMs < 1000) continue;
      log(
        `  soak window ${window.fromSeconds} s: ${window.ops} ops, p99 ${window.p99Ms} max ${window.maxMs} ms, server CPU ${window.serverCpuSeconds} s, driver CPU ${window.driverCpuSeconds} s`,
      );
    }
  }
  const phases = [
    ...swept.levels,
    open,
    ...(soak ? [soak] : []),
    ...(stream ? [stream.alone, stream.during] : []),
  ];
  for (const phase of phases) {
    if (phase.errors > 0) log(`  errors in ${phase.phase}: ${phase.errorSamples.join(' | ')}`);
  }
  const failed = phases.some((phase) => phase.errors > 0);
  let target = scenario.target;
  let argon2: ScenarioResult['argon2'];
  if (scenario.argon2Fraction !== undefined && raw) {
    target = Math.round(scenario.argon2Fraction * raw.perCpuSecond * 10) / 10;
    argon2 = {
      raw,
      fraction: scenario.argon2Fraction,
      ratio: Math.round((figure / raw.perCpuSecond) * 1000) / 1000,
    };
  }
  const streamMet = !stream || stream.during.latency.p99Ms < USERINFO_STREAM_P99_MS;
  return {
    scenario: scenario.name,
    description: scenario.description,
    unit: scenario.unit,
    warmup,
    sweep: swept.levels,
    peak: swept.peak,
    open,
    soak,
    requestsPerOperation,
    rssMb: { before: rssBefore, after: treeRssMb(pids) },
    failed,
    dropped: open.dropped + (soak?.dropped ?? 0),
    opsPerServerCpuSecond: figure,
    opsPerServerCpuSecondWithStream: stream ? open.opsPerServerCpuSecond : undefined,
    stream,
    argon2,
    target,
    targetMet: target === undefined ? undefined : !failed && figure >= target && streamMet,
  };
}

export async function benchSystem(options: SystemBenchOptions): Promise<StoreResult[]> {
  const selected = SCENARIOS.filter((scenario) => options.scenarios.includes(scenario.name));
  const results: StoreResult[] = [];
  for (const target of options.stores) {
    const loadStart = load1();
    const deployment = await startDeployment(target, options.data, options.serverNodeArgs, {
      espaceMedecin: selected.some((scenario) => scenario.espaceMedecin),
    });
    const driver = new Driver(deployment);
    const storeResult: StoreResult = {
      store: deployment.store,
      description: deployment.description,
      data: { ...options.data, sessions: options.sessions },
      setupSeconds: deployment.setupSeconds,
      serverRssMbAtStart: treeRssMb(deployment.pids),
      scenarios: [],
      loadAverage: { start: loadStart, end: 0 },
    };
    try {
      for (const scenario of selected) {
        storeResult.scenarios.push(await runScenario(scenario, driver, deployment, options));
      }
    } finally {
      await driver.close();
      await deployment.stop();
    }
    storeResult.loadAverage.end = load1();
    const login = storeResult.scenarios.find((s) => s.scenario === 'login-ecps');
    const refresh = storeResult.scenarios.find((s) => s.scenario === 'refresh');
    if (login && refresh) {
      const cpuPerMix = 1 / login.opsPerServerCpuSecond + 8 / refresh.opsPerServerCpuSecond;
      storeResult.loginPlus8Refreshes = Math.round((1 / cpuPerMix) * 10) / 10;
    }
    results.push(storeResult);
  }
  return results;
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value
        .toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
        .replaceAll(',', ' ')
    : '—';

/** Rows for the console table. */
export function systemTable(results: StoreResult[]): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const store of results) {
    rows.push([`store`, `${store.description}; setup ${JSON.stringify(store.setupSeconds)}`]);
    for (const s of store.scenarios) {
      const verdict =
        s.target === undefined ? '' : ` · target ≥ ${s.target}: ${s.targetMet ? 'met' : 'MISSED'}`;
      rows.push([
        `${store.store} ${s.scenario}`,
        `${fmt(s.opsPerServerCpuSecond, 1)} ${s.unit}/server-CPU-s, ${s.requestsPerOperation} HTTP req./${s.unit} (open ${fmt(s.open.throughput, 1)}/s, server CPU ${fmt(s.open.serverCpuPercent)} %, ${fmt((100 * s.open.serverSystemCpuSeconds) / s.open.serverCpuSeconds)} % of it kernel) · peak ${fmt(s.peak.throughput, 1)}/s at c=${s.peak.concurrency} (${fmt(s.peak.opsPerServerCpuSecond, 1)}/CPU-s) · p50/p95/p99 ${s.open.latency.p50Ms}/${s.open.latency.p95Ms}/${s.open.latency.p99Ms} ms · errors ${s.sweep.reduce((n, p) => n + p.errors, 0) + s.open.errors + (s.soak?.errors ?? 0)}${s.failed ? ' FAILED' : ''}${s.dropped ? ` · ${s.dropped} arrivals dropped (rate not held)` : ''} · RSS ${s.rssMb.before} → ${s.rssMb.after} MB${verdict}`,
      ]);
      if (s.stream) {
        rows.push([
          `${store.store} ${s.scenario} userinfo`,
          `stream of ${s.stream.rate}/s during the open phase: p50/p95/p99 ${s.stream.during.latency.p50Ms}/${s.stream.during.latency.p95Ms}/${s.stream.during.latency.p99Ms} ms (target p99 < ${USERINFO_STREAM_P99_MS}), errors ${s.stream.during.errors}; alone before it: p99 ${s.stream.alone.latency.p99Ms} ms · ${fmt(s.opsPerServerCpuSecondWithStream ?? Number.NaN, 1)} ${s.unit}/server-CPU-s with the stream's CPU (${s.stream.cpuDeducted} s deducted above)`,
        ]);
      }
      if (s.argon2) {
        rows.push([
          `${store.store} ${s.scenario} / argon2id`,
          `${fmt(100 * s.argon2.ratio, 1)} % of the raw argon2id rate measured just before (${s.argon2.raw.perCpuSecond} verifications per CPU-second, ${s.argon2.raw.meanMs} ms each with ${s.argon2.raw.concurrency} at once; target ≥ ${fmt(100 * s.argon2.fraction)} %)`,
        ]);
      }
      if (s.soak) {
        rows.push([
          `${store.store} ${s.scenario} soak`,
          `${s.soak.seconds} s at ${s.soak.targetRate}/s: ${s.soak.ops} ops, ${s.soak.errors} errors, ${s.soak.dropped} dropped, ${fmt(s.soak.opsPerServerCpuSecond, 1)}/CPU-s, p99 ${s.soak.latency.p99Ms} ms, RSS ${s.soak.rss?.[0]?.mb} → ${s.soak.rss?.at(-1)?.mb} MB, slope ${s.soak.rssSlopeMbPerMinute?.whole} MB/min (second half ${s.soak.rssSlopeMbPerMinute?.secondHalf})`,
        ]);
      }
    }
    if (store.loginPlus8Refreshes !== undefined) {
      rows.push([
        `${store.store} 1 login + 8 refreshes`,
        `${fmt(store.loginPlus8Refreshes, 1)} per server CPU-second`,
      ]);
    }
    rows.push([`${store.store} load average`, `${store.loadAverage.start} → ${store.loadAverage.end}`]);
  }
  return rows;
}
