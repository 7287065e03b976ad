import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createDirectory, type Directory, type SearchQuery } from '../src/directory/index.ts';
import { defaults } from '../src/platform/config/index.ts';
import { openSqliteStore } from '../src/platform/store/index.ts';
import type { ImportChildResult } from './directory-import-child.ts';
import { prng, writeSyntheticExtract } from './extract-generator.ts';

const CHILD = fileURLToPath(new URL('./directory-import-child.ts', import.meta.url));
const SEED = 20261125;
const LOOKUPS = 2000;
const LOOKUP_WARMUP = 200;
const SEARCHES = 500;
const SEARCH_WARMUP = 50;
const PROFESSIONS = ['10', '21', '40', '50', '60', '70'];

export interface Latency {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Average number of results per query (searches), to show the queries find something. */
  meanResults?: number;
}

export interface ImportRun {
  durationMs: number;
  cpuMs: number;
  linesPerSecond: number;
  peakRssMb: number;
  persons: ImportChildResult['persons'];
}

export interface Target {
  name: string;
  target: string;
  value: number;
  unit: string;
  met: boolean;
}

export interface DirectoryBenchResult {
  lines: number;
  persons: number;
  extract: { bytes: number; generateMs: number };
  import: ImportRun;
  reimport: ImportRun;
  storeBytes: number;
  lookup: Latency;
  search: {
    namePrefix: Latency;
    nameAndProfession: Latency;
    postcode: Latency;
    postcodePrefix: Latency;
  };
  targets: Target[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function latency(samples: number[], results?: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    count: samples.length,
    meanMs: round(samples.reduce((total, value) => total + value, 0) / samples.length),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    ...(results
      ? { meanResults: Math.round((results.reduce((t, n) => t + n, 0) / results.length) * 10) / 10 }
      : {}),
  };
}

const log = (message: string) => process.stderr.write(`[directory] ${message}\n`);

/** Runs the import child process and returns what it measured. */
function runImport(file: string, dataDir: string, lines: number): Promise<ImportRun> {
  const extraArgs = (process.env.CADUCEE_BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...extraArgs, CHILD, file, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`import child exited with code ${code}`));
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const result = JSON.parse(last) as ImportChildResult;
        if (result.linesRead !== lines)
          return reject(new Error(`import read ${result.linesRead} lines, expected ${lines}`));
        resolve({
          durationMs: Math.round(result.durationMs),
          cpuMs: Math.round(result.cpuMs),
          linesPerSecond: Math.round(lines / (result.durationMs / 1000)),
          peakRssMb: Math.round(result.maxRssKb / 1024),
          persons: result.persons,
        });
      } catch (error) {
        reject(new Error(`import child printed no result: ${last}`, { cause: error }));
      }
    });
  });
}

async function measure<T>(
  items: T[],
  warmup: number,
  run: (item: T) => Promise<number | undefined>,
): Promise<{ samples: number[]; results: number[] }> {
  for (const item of items.slice(0, warmup)) await run(item);
  const samples: number[] = [];
  const results: number[] = [];
  for (const item of items.slice(warmup)) {
    const started = performance.now();
    const found = await run(item);
    samples.push(performance.now() - started);
    if (found !== undefined) results.push(found);
  }
  return { samples, results };
}

async function searchLatency(directory: Directory, queries: SearchQuery[]): Promise<Latency> {
  const { samples, results } = await measure(
    queries,
    SEARCH_WARMUP,
    async (query) => (await directory.search(query)).length,
  );
  return latency(samples, results);
}

/**
 * The directory benchmark: generate a synthetic extract of `lines` lines, import it into a fresh
 * embedded store in a child process (time and peak RSS of the import alone), re-import it
 * unchanged, then time reads in this process: lookups by national identifier and searches.
 */
export async function benchDirectory(options: { lines: number }): Promise<DirectoryBenchResult> {
  const { lines } = options;
  const work = mkdtempSync(path.join(tmpdir(), 'caducee-bench-'));
  const file = path.join(work, 'PS_LibreAcces_Personne_activite_202611250800.txt');
  const dataDir = path.join(work, 'data');
  try {
    log(`generating ${lines} lines in ${file}`);
    const started = performance.now();
    const extract = await writeSyntheticExtract(file, lines, SEED);
    const generateMs = Math.round(performance.now() - started);
    const bytes = statSync(file).size;
    // Written out before the import starts: otherwise the kernel writes the generator's 325 MB
    // back while the import runs and its time counts against the import (1–3 s seen here).
    const written = await open(file, 'r+');
    await written.sync();
    await written.close();
    log(`${extract.persons} persons, ${(bytes / 1e6).toFixed(0)} MB in ${generateMs} ms; importing`);

    const first = await runImport(file, dataDir, lines);
    log(`import: ${first.durationMs} ms, ${first.linesPerSecond} lines/s, peak RSS ${first.peakRssMb} MB`);
    const again = await runImport(file, dataDir, lines);
    log(`re-import: ${again.durationMs} ms, ${again.linesPerSecond} lines/s, peak RSS ${again.peakRssMb} MB`);
    if (again.persons.unchanged !== extract.persons)
      throw new Error(`re-import left ${again.persons.unchanged} of ${extract.persons} persons unchanged`);

    const storeFile = path.join(dataDir, 'caducee.sqlite');
    const storeBytes = ['', '-wal'].reduce((total, suffix) => {
      try {
        return total + statSync(`${storeFile}${suffix}`).size;
      } catch {
        return total;
      }
    }, 0);

    const store = openSqliteStore(storeFile);
    try {
      const directory = createDirectory(store, { directory: defaults.directory });
      // Samples are drawn by rowid (persons are inserted once, rowids are dense) rather than from
      // a list of every person: holding 800 000 rows here would put GC pauses in the timings.
      const random = prng(SEED + 1);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const { rows: bounds } = await sql<{ low: number; high: number }>`
        select min(rowid) as low, max(rowid) as high from directory_person`.execute(store.db);
      const { low, high } = bounds[0]!;
      const sample = async (): Promise<{ idnat: string; family_key: string }> => {
        const rowid = low + Math.floor(random() * (high - low + 1));
        const { rows } = await sql<{ idnat: string; family_key: string; active: number }>`
          select idnat, family_key, active from directory_person where rowid = ${rowid}`.execute(store.db);
        return rows[0]?.active === 1 ? rows[0] : sample();
      };
      const samples = async (count: number) => {
        const drawn: Array<{ idnat: string; family_key: string }> = [];
        for (let index = 0; index < count; index++) drawn.push(await sample());
        return drawn;
      };
      const postcodes = (
        await store.db
          .selectFrom('directory_facet')
          .select('value')
          .distinct()
          .where('kind', '=', 'postcode')
          .execute()
      ).map((row) => row.value as string);
      // 2 to 4 letters of an existing family name, within its first word (searches need 2).
      const prefixes = async (count: number) => {
        const drawn: string[] = [];
        while (drawn.length < count) {
          const name = (await sample()).family_key.split(' ')[0]!;
          if (name.length >= 2) drawn.push(name.slice(0, 2 + Math.floor(random() * 3)));
        }
        return drawn;
      };

      const ids = (await samples(LOOKUP_WARMUP + LOOKUPS)).map((person) => person.idnat);
      const lookups = await measure(ids, LOOKUP_WARMUP, async (idnat) => {
        await directory.get(idnat);
        return undefined;
      });
      const lookup = latency(lookups.samples);
      log(`lookup p99 ${lookup.p99Ms} ms`);

      const count = SEARCH_WARMUP + SEARCHES;
      const namePrefix = await searchLatency(
        directory,
        (await prefixes(count)).map((name) => ({ name, limit: 20 })),
      );
      const nameAndProfession = await searchLatency(
        directory,
        (await prefixes(count)).map((name) => ({ name, profession: pick(PROFESSIONS), limit: 20 })),
      );
      const postcode = await searchLatency(
        directory,
        Array.from({ length: count }, () => ({ postcode: pick(postcodes), limit: 20 })),
      );
      const postcodePrefix = await searchLatency(
        directory,
        Array.from({ length: count }, () => ({ postcode: pick(postcodes).slice(0, 2), limit: 20 })),
      );
      log(`name-prefix search p99 ${namePrefix.p99Ms} ms`);

      const targets: Target[] = [
        {
          name: 'import throughput',
          target: '>= 50 000 lines/s',
          value: first.linesPerSecond,
          unit: 'lines/s',
          met: first.linesPerSecond >= 50_000,
        },
        {
          name: 'import peak RSS (worse of both runs)',
          target: '< 300 MB',
          value: Math.max(first.peakRssMb, again.peakRssMb),
          unit: 'MB',
          met: Math.max(first.peakRssMb, again.peakRssMb) < 300,
        },
        {
          name: 'lookup p99',
          target: '< 2 ms',
          value: lookup.p99Ms,
          unit: 'ms',
          met: lookup.p99Ms < 2,
        },
        {
          name: 'name-prefix search p99',
          target: '< 20 ms',
          value: namePrefix.p99Ms,
          unit: 'ms',
          met: namePrefix.p99Ms < 20,
        },
      ];
      return {
        lines,
        persons: extract.persons,
        extract: { bytes, generateMs },
        import: first,
        reimport: again,
        storeBytes,
        lookup,
        search: { namePrefix, nameAndProfession, postcode, postcodePrefix },
        targets,
      };
    } finally {
      await store.close();
    }
  } finally {
    if (process.env.CADUCEE_BENCH_KEEP === '1') log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** Rows of the human table: [measure, value]. */
export function directoryTable(result: DirectoryBenchResult): Array<[string, string]> {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const lat = (l: Latency) =>
    `p50 ${ms(l.p50Ms)} · p95 ${ms(l.p95Ms)} · p99 ${ms(l.p99Ms)}` +
    (l.meanResults !== undefined ? ` (${l.meanResults} results)` : '');
  const int = (value: number) => value.toLocaleString('en-US');
  return [
    [
      'extract',
      `${int(result.lines)} lines, ${int(result.persons)} persons, ${int(result.extract.bytes)} bytes`,
    ],
    [
      'import (empty store)',
      `${int(result.import.linesPerSecond)} lines/s (${(result.import.durationMs / 1000).toFixed(1)} s, CPU ${(result.import.cpuMs / 1000).toFixed(1)} s), peak RSS ${result.import.peakRssMb} MB`,
    ],
    [
      're-import (unchanged)',
      `${int(result.reimport.linesPerSecond)} lines/s (${(result.reimport.durationMs / 1000).toFixed(1)} s, CPU ${(result.reimport.cpuMs / 1000).toFixed(1)} s), peak RSS ${result.reimport.peakRssMb} MB`,
    ],
    ['store size', `${(result.storeBytes / 1e6).toFixed(0)} MB`],
    [`lookup by national id (${result.lookup.count})`, lat(result.lookup)],
    [`search name prefix (${result.search.namePrefix.count})`, lat(result.search.namePrefix)],
    [
      `search name + profession (${result.search.nameAndProfession.count})`,
      lat(result.search.nameAndProfession),
    ],
    [`search postcode (${result.search.postcode.count})`, lat(result.search.postcode)],
    [`search postcode prefix (${result.search.postcodePrefix.count})`, lat(result.search.postcodePrefix)],
    ...result.targets.map((t): [string, string] => [
      `target: ${t.name} ${t.target}`,
      `${t.met ? 'met' : 'MISSED'} (${int(t.value)} ${t.unit})`,
    ]),
  ];
}
