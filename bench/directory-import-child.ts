/**
 * Runs one directory import in its own process, so that the peak RSS it reports is that of the
 * import alone: `node bench/directory-import-child.ts <file> <dataDir>`. Migrates the embedded
 * store of `<dataDir>` (no-op when done), imports, and prints one JSON line on stdout.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDirectory, directoryMigrations } from '../src/directory/index.ts';
import { defaults } from '../src/platform/config/index.ts';
import { migrate, openSqliteStore } from '../src/platform/store/index.ts';

export interface ImportChildResult {
  durationMs: number;
  /** CPU time (user + system) of the import, which other load on the machine inflates less. */
  cpuMs: number;
  /** process.resourceUsage().maxRSS: peak resident set size, in KB. */
  maxRssKb: number;
  linesRead: number;
  persons: { listed: number; created: number; changed: number; unchanged: number; inactivated: number };
}

const [file, dataDir] = process.argv.slice(2);
if (!file || !dataDir) {
  console.error('usage: node bench/directory-import-child.ts <file> <dataDir>');
  process.exit(2);
}

const store = openSqliteStore(path.join(dataDir, 'caducee.sqlite'));
await migrate(store, directoryMigrations(store.kind));
const directory = createDirectory(store, { directory: defaults.directory });
const started = performance.now();
const cpu = process.cpuUsage();
const summary = await directory.importExtracts([file]);
const durationMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
await store.close();
const result: ImportChildResult = {
  durationMs,
  cpuMs: (user + system) / 1000,
  maxRssKb: process.resourceUsage().maxRSS,
  linesRead: summary.linesRead,
  persons: {
    listed: summary.persons.listed,
    created: summary.persons.created,
    changed: summary.persons.changed,
    unchanged: summary.persons.unchanged,
    inactivated: summary.persons.inactivated,
  },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
