/**
 * `npm run bench [-- --only directory] [-- --lines N]`: runs the benchmarks, prints a table and
 * writes `bench/out/results-<date>.json`. Each benchmark registers under a name usable with
 * `--only` (comma-separated or repeated).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchDirectory, directoryTable } from './directory.ts';

export interface BenchOptions {
  /** Lines of the synthetic directory extract. */
  lines: number;
}

interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<{ result: unknown; table: Array<[string, string]> }>;
}

const BENCHMARKS: Benchmark[] = [
  {
    name: 'directory',
    description: 'directory import (embedded store), lookups and searches',
    async run(options) {
      const result = await benchDirectory({ lines: options.lines });
      return { result, table: directoryTable(result) };
    },
  },
];

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function parseOptions(): { only: Benchmark[]; options: BenchOptions } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      lines: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench -- [--only NAME[,NAME]] [--lines N]\n' +
        BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.description}\n`).join('') +
        'env: CADUCEE_BENCH_LINES (default 1000000), CADUCEE_BENCH_KEEP=1 keeps the temporary files,\n' +
        '     CADUCEE_BENCH_CHILD_ARGS adds node options to the import child (e.g. --cpu-prof)\n',
    );
    process.exit(0);
  }
  const rawLines = values.lines ?? process.env.CADUCEE_BENCH_LINES ?? '1000000';
  const lines = Number(rawLines.replaceAll('_', ''));
  if (!Number.isInteger(lines) || lines < 1) fail(`--lines: a positive integer expected, got ${rawLines}`);
  const names = (values.only ?? []).flatMap((value) => value.split(',')).filter(Boolean);
  for (const name of names) {
    if (!BENCHMARKS.some((b) => b.name === name))
      fail(`--only: unknown benchmark ${name} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
  }
  const only = names.length > 0 ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  return { only, options: { lines } };
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

const { only, options } = parseOptions();
const host = machine();
const date = new Date();
process.stdout.write(
  `machine: ${host.cores} cores, ${host.cpu}, ${host.memoryGb} GB, Node ${host.node}, ${host.platform}, load ${host.loadAverage}\n`,
);
const results: Record<string, unknown> = {};
for (const benchmark of only) {
  const { result, table } = await benchmark.run(options);
  results[benchmark.name] = result;
  printTable(benchmark.name, table);
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
