/**
 * The load engine: closed loops of virtual users (warm-up, the sweep to saturation) and an open
 * arrival rate (fixed operations per second, bounded in time and count), each phase measured as
 * throughput, latency percentiles, errors and CPU seconds of the server process tree.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessMemory } from './memory.ts';
import { ownCpuSeconds, treeCpuSeconds, treeRssMb } from './proc.ts';

/** One operation of a scenario (a whole login, one refresh…); throws on any unexpected answer. */
export type Operation = () => Promise<void>;

export interface Latency {
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PhaseResult {
  /** `stream`: a light load running beside another phase (or alone, as its reference). */
  phase: 'warm-up' | 'sweep' | 'open' | 'soak' | 'stream';
  /** Virtual users of a closed loop. */
  concurrency?: number;
  /** Arrivals per second of an open phase. */
  targetRate?: number;
  seconds: number;
  ops: number;
  /** Operations that failed: an unexpected answer, a timeout (30 s), a connection error. */
  errors: number;
  /** The first few error messages. */
  errorSamples: string[];
  /**
   * Open phases: arrivals not started because `maxInFlight` operations were still running, i.e.
   * the server (or the shared machine) fell more than about two seconds behind the rate.
   */
  dropped: number;
  /** Completed operations per second of wall-clock time. */
  throughput: number;
  /** CPU seconds (user + system) of the server process tree during the phase. */
  serverCpuSeconds: number;
  /** Of which in kernel mode (system calls: sockets, files). */
  serverSystemCpuSeconds: number;
  /** Server CPU seconds per wall-clock second, in % of one core. */
  serverCpuPercent: number;
  /** Operations per CPU-second of the server process tree. */
  opsPerServerCpuSecond: number;
  /** CPU seconds of the load generator (this process) during the phase. */
  driverCpuSeconds: number;
  latency: Latency;
  /** Soak only: server RSS every `rssEverySeconds`. */
  rss?: Array<{ atSeconds: number; mb: number }>;
  /** Soak only: least-squares slope of the RSS samples, MB per minute (whole run, second half). */
  rssSlopeMbPerMinute?: { whole: number; secondHalf: number };
  /**
   * Soak only: per sampling window, the operations that arrived in it, their p99 and worst
   * latency, and the CPU the servers and this driver used meanwhile, so that a stall can be told
   * apart as the servers' (busy or idle) or the driver's.
   */
  windows?: SoakWindow[];
  /** Soak only: each server process's own memory at every sample (when the soak was given probes). */
  memory?: Array<{ atSeconds: number; processes: Record<string, ProcessMemory> }>;
  /** Soak only: per process and measure, the least-squares slope in MB per minute. */
  memorySlopes?: Record<string, Record<MemoryMeasure, { whole: number; secondHalf: number }>>;
  /** Soak only: per process, the heap floor of each `HEAP_FLOOR_SECONDS` window (see heapFloor). */
  heapFloor?: Record<string, Array<{ atSeconds: number; mb: number }>>;
}

/** What the soak follows per process: the samples' measures, and the heap floor. */
export type MemoryMeasure = keyof ProcessMemory | 'heapFloorMb';

/**
 * A busy server's heap in use swings by hundreds of MB between two major garbage collections, so
 * a sample at a random instant says little of what it retains. The least heap in use within a
 * few minutes is close to what the last major collection left: a leak makes that floor rise.
 */
const HEAP_FLOOR_SECONDS = 180;

export interface SoakWindow {
  fromSeconds: number;
  ops: number;
  p99Ms: number;
  maxMs: number;
  serverCpuSeconds: number;
  driverCpuSeconds: number;
}

const MAX_ERROR_SAMPLES = 5;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (value: number, digits = 2) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

function latencyOf(samples: number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    meanMs: round(total / Math.max(1, samples.length)),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Least-squares slope of (seconds, MB) points, in MB per minute. */
export function slopePerMinute(points: Array<{ atSeconds: number; mb: number }>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.atSeconds, 0) / n;
  const meanY = points.reduce((s, p) => s + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.atSeconds - meanX) * (p.mb - meanY);
    den += (p.atSeconds - meanX) ** 2;
  }
  return den === 0 ? 0 : round((num / den) * 60, 3);
}

class Recorder {
  readonly latencies: number[] = [];
  errors = 0;
  dropped = 0;
  readonly errorSamples: string[] = [];
  readonly #pids: number[];
  readonly #cpu0: { user: number; system: number };
  readonly #driver0: number;
  readonly #t0: number;

  constructor(pids: number[]) {
    this.#pids = pids;
    this.#cpu0 = treeCpuSeconds(pids);
    this.#driver0 = ownCpuSeconds();
    this.#t0 = performance.now();
  }

  get elapsedSeconds() {
    return (performance.now() - this.#t0) / 1000;
  }

  fail(error: unknown) {
    this.errors++;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES)
      this.errorSamples.push(String((error as Error)?.message ?? error).slice(0, 300));
  }

  finish(
    phase: PhaseResult['phase'],
    extra: Pick<PhaseResult, 'concurrency' | 'targetRate'> = {},
  ): PhaseResult {
    const seconds = this.elapsedSeconds;
    const cpu = treeCpuSeconds(this.#pids);
    const serverSystemCpuSeconds = cpu.system - this.#cpu0.system;
    const serverCpuSeconds = cpu.user - this.#cpu0.user + serverSystemCpuSeconds;
    const ops = this.latencies.length;
    return {
      phase,
      ...extra,
      seconds: round(seconds),
      ops,
      errors: this.errors,
      errorSamples: this.errorSamples,
      dropped: this.dropped,
      throughput: round(ops / seconds, 1),
      serverCpuSeconds: round(serverCpuSeconds),
      serverSystemCpuSeconds: round(serverSystemCpuSeconds),
      serverCpuPercent: round((serverCpuSeconds / seconds) * 100, 1),
      opsPerServerCpuSecond: serverCpuSeconds > 0 ? round(ops / serverCpuSeconds, 1) : Number.NaN,
      driverCpuSeconds: round(ownCpuSeconds() - this.#driver0),
      latency: latencyOf(this.latencies),
    };
  }
}

/** `concurrency` virtual users, each running the operation back to back for `seconds`. */
export async function closedLoop(options: {
  operation: Operation;
  concurrency: number;
  seconds: number;
  pids: number[];
  phase: 'warm-up' | 'sweep';
}): Promise<PhaseResult> {
  const recorder = new Recorder(options.pids);
  const end = performance.now() + options.seconds * 1000;
  const user = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      try {
        await options.operation();
        recorder.latencies.push(performance.now() - started);
      } catch (error) {
        recorder.fail(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, user));
  return recorder.finish(options.phase, { concurrency: options.concurrency });
}

/**
 * Open arrivals: `rate` operations started per second whatever the ones before became, for
 * `seconds` (so `rate × seconds` in all). Latency runs from the scheduled start, so a server
 * that falls behind shows it (no coordinated omission). An arrival finding `maxInFlight`
 * operations still running is dropped and counted apart from errors.
 */
export async function openArrivals(options: {
  operation: Operation;
  rate: number;
  seconds: number;
  pids: number[];
  maxInFlight: number;
  phase: 'open' | 'soak' | 'stream';
  /** Soak: sample the server's RSS this often. */
  rssEverySeconds?: number;
  /** Soak: read each server process's own memory at every RSS sample. */
  sampleMemory?: () => Promise<Record<string, ProcessMemory>>;
}): Promise<PhaseResult> {
  const recorder = new Recorder(options.pids);
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const interval = 1000 / options.rate;
  const running = new Set<Promise<void>>();
  const rss: Array<{ atSeconds: number; mb: number }> = [];
  /** Soak: each operation's arrival (ms after t0) and latency; CPU readings at each sample. */
  const timed: Array<[number, number]> = [];
  const cpuAt: Array<{ server: number; driver: number }> = [];
  const memory: NonNullable<PhaseResult['memory']> = [];
  const memoryReads: Array<Promise<void>> = [];
  const readMemory = (atSeconds: number) => {
    if (!options.sampleMemory) return;
    memoryReads.push(
      options.sampleMemory().then((processes) => {
        memory.push({ atSeconds, processes });
      }),
    );
  };
  const serverCpu = () => {
    const { user, system } = treeCpuSeconds(options.pids);
    return user + system;
  };
  let nextSample = 0;
  const t0 = performance.now();
  for (let launched = 0; launched < total; ) {
    const now = performance.now();
    if (options.rssEverySeconds && now - t0 >= nextSample * 1000) {
      rss.push({ atSeconds: round((now - t0) / 1000, 1), mb: treeRssMb(options.pids) });
      readMemory(round((now - t0) / 1000, 1));
      cpuAt.push({ server: serverCpu(), driver: ownCpuSeconds() });
      nextSample += options.rssEverySeconds;
    }
    const due = t0 + launched * interval;
    if (due > now) {
      await sleep(Math.min(due - now, 50));
      continue;
    }
    launched++;
    if (running.size >= options.maxInFlight) {
      recorder.dropped++;
      continue;
    }
    const task: Promise<void> = options.operation().then(
      () => {
        const latency = performance.now() - due;
        recorder.latencies.push(latency);
        if (options.rssEverySeconds) timed.push([due - t0, latency]);
      },
      (error) => recorder.fail(error),
    );
    running.add(task);
    task.finally(() => running.delete(task));
  }
  await Promise.all(running);
  const result = recorder.finish(options.phase, { targetRate: round(options.rate, 1) });
  if (options.rssEverySeconds) {
    rss.push({ atSeconds: result.seconds, mb: treeRssMb(options.pids) });
    const half = rss.filter((point) => point.atSeconds >= result.seconds / 2);
    result.rss = rss;
    result.rssSlopeMbPerMinute = { whole: slopePerMinute(rss), secondHalf: slopePerMinute(half) };
    cpuAt.push({ server: serverCpu(), driver: ownCpuSeconds() });
    result.windows = soakWindows(timed, cpuAt, options.rssEverySeconds);
    if (options.sampleMemory) {
      readMemory(result.seconds);
      await Promise.all(memoryReads);
      memory.sort((a, b) => a.atSeconds - b.atSeconds);
      result.memory = memory;
      result.heapFloor = heapFloor(memory);
      result.memorySlopes = memorySlopes(memory, result.heapFloor, result.seconds);
    }
  }
  return result;
}

export interface SweepOptions {
  operation: Operation;
  pids: number[];
  levels: number[];
  stepSeconds: number;
  /** A level must beat the best throughput so far by this factor to count as growth. */
  growth?: number;
  /** Levels in a row without growth before the sweep stops. */
  patience?: number;
  log?: (line: string) => void;
}

/**
 * Increasing concurrency until throughput stops growing: stops after two levels in a row that do
 * not beat the best one by 5 % (one alone may be a pause of the shared machine), or at a level
 * with errors.
 */
export async function sweep(options: SweepOptions): Promise<{ levels: PhaseResult[]; peak: PhaseResult }> {
  const levels: PhaseResult[] = [];
  let peak: PhaseResult | undefined;
  let flat = 0;
  for (const concurrency of options.levels) {
    const result = await closedLoop({
      operation: options.operation,
      concurrency,
      seconds: options.stepSeconds,
      pids: options.pids,
      phase: 'sweep',
    });
    levels.push(result);
    options.log?.(
      `  c=${concurrency}: ${result.throughput} ops/s, ${result.opsPerServerCpuSecond} ops/CPU-s, p99 ${result.latency.p99Ms} ms, errors ${result.errors}`,
    );
    if (result.errors > 0) break;
    const grew = !peak || result.throughput >= peak.throughput * (options.growth ?? 1.05);
    if (!peak || result.throughput > peak.throughput) peak = result;
    flat = grew ? 0 : flat + 1;
    if (flat >= (options.patience ?? 2)) break;
  }
  return { levels, peak: peak ?? levels[0]! };
}

/** Per process, the least heap in use of each window, dated at the window's middle. */
function heapFloor(samples: NonNullable<PhaseResult['memory']>): NonNullable<PhaseResult['heapFloor']> {
  const windows = new Map<string, Map<number, number[]>>();
  for (const sample of samples) {
    const window = Math.floor(sample.atSeconds / HEAP_FLOOR_SECONDS);
    for (const [name, memory] of Object.entries(sample.processes)) {
      if (!Number.isFinite(memory.heapUsedMb)) continue;
      const byWindow = windows.get(name) ?? new Map<number, number[]>();
      windows.set(name, byWindow);
      byWindow.set(window, [...(byWindow.get(window) ?? []), memory.heapUsedMb]);
    }
  }
  const floors: NonNullable<PhaseResult['heapFloor']> = {};
  for (const [name, byWindow] of windows) {
    const full = Math.max(...[...byWindow.values()].map((values) => values.length));
    // A window cut short (the soak's last) holds too few samples to have met a collection.
    floors[name] = [...byWindow]
      .filter(([, values]) => values.length * 2 >= full)
      .map(([window, values]) => ({
        atSeconds: window * HEAP_FLOOR_SECONDS + HEAP_FLOOR_SECONDS / 2,
        mb: Math.min(...values),
      }));
  }
  return floors;
}

/** Slope of every measure of every process sampled, over the whole soak and its second half. */
function memorySlopes(
  samples: NonNullable<PhaseResult['memory']>,
  floors: NonNullable<PhaseResult['heapFloor']>,
  seconds: number,
): NonNullable<PhaseResult['memorySlopes']> {
  const slopes: NonNullable<PhaseResult['memorySlopes']> = {};
  const names = new Set(samples.flatMap((sample) => Object.keys(sample.processes)));
  const slopesOf = (points: Array<{ atSeconds: number; mb: number }>) => ({
    whole: slopePerMinute(points),
    secondHalf: slopePerMinute(points.filter((point) => point.atSeconds >= seconds / 2)),
  });
  for (const name of names) {
    const of = (key: keyof ProcessMemory) =>
      slopesOf(
        samples
          .filter((sample) => sample.processes[name] && Number.isFinite(sample.processes[name][key]))
          .map((sample) => ({ atSeconds: sample.atSeconds, mb: sample.processes[name]![key] })),
      );
    slopes[name] = {
      rssMb: of('rssMb'),
      heapUsedMb: of('heapUsedMb'),
      oldSpaceUsedMb: of('oldSpaceUsedMb'),
      externalMb: of('externalMb'),
      heapFloorMb: slopesOf(floors[name] ?? []),
    };
  }
  return slopes;
}

/** The soak's operations grouped by the sampling window they arrived in. */
function soakWindows(
  timed: Array<[number, number]>,
  cpuAt: Array<{ server: number; driver: number }>,
  everySeconds: number,
): SoakWindow[] {
  const windows: SoakWindow[] = [];
  for (let index = 0; index + 1 < cpuAt.length; index++) {
    const from = index * everySeconds * 1000;
    const latencies = Float64Array.from(
      timed
        .filter(([arrival]) => arrival >= from && arrival < from + everySeconds * 1000)
        .map(([, ms]) => ms),
    ).sort();
    windows.push({
      fromSeconds: index * everySeconds,
      ops: latencies.length,
      p99Ms: latencies.length ? round(percentile(latencies, 99), 1) : 0,
      maxMs: latencies.length ? round(latencies[latencies.length - 1]!, 1) : 0,
      serverCpuSeconds: round(cpuAt[index + 1]!.server - cpuAt[index]!.server, 2),
      driverCpuSeconds: round(cpuAt[index + 1]!.driver - cpuAt[index]!.driver, 2),
    });
  }
  return windows;
}
