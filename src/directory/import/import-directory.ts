import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../platform/store/index.ts';
import { type ExtractKind, type ExtractSource, resolveSources } from '../extract/index.ts';
import type { DirectoryDb } from '../store/tables.ts';
import { checkInactivationThreshold, inactivateGone } from './inactivate.ts';
import { type ReconcileCounts, reconcile } from './reconcile.ts';
import { type StagedFile, stageSources } from './stage.ts';

export interface ImportOptions {
  /** Largest share of active persons an import may inactivate without `force`. */
  threshold: number;
  force?: boolean;
  /** Accept identifiers with a wrong key (warning instead of refusing the file). */
  lenientKeys?: boolean;
  now?: () => Date;
  onProgress?: (progress: ImportProgress) => void;
}

export type ImportProgress =
  | { phase: 'read'; file: string; bytes: number; totalBytes: number | undefined }
  | { phase: 'apply'; persons: number; totalPersons: number | undefined };

export interface ImportSummary {
  importId: string;
  files: StagedFile[];
  linesRead: number;
  persons: ReconcileCounts & { inactivated: number };
  /** At most 50 listed; `warningCount` has them all. */
  warnings: string[];
  warningCount: number;
  startedAt: string;
  finishedAt: string;
}

const MAX_LISTED_WARNINGS = 50;

/**
 * Imports a full snapshot of the directory (the official extracts, plain or zipped) in one
 * transaction: either every change applies, or, on any error, the directory stays as it was.
 * New and changed persons are written, unchanged ones left alone, gone ones inactivated.
 */
export async function importDirectory(
  store: Store,
  files: string[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const now = () => (options.now?.() ?? new Date()).toISOString();
  const startedAt = now();
  const sources: ExtractSource[] = await resolveSources(files);
  const importedKinds = new Set<ExtractKind>(sources.map((source) => source.kind));
  const warnings: string[] = [];
  let warningCount = 0;
  const warning = (message: string) => {
    warningCount++;
    if (warnings.length < MAX_LISTED_WARNINGS) warnings.push(message);
  };
  const importId = randomUUID();
  const db = store.db as DirectoryDb;

  const restoreCache = await raiseImportCache(store);
  const applying = db.transaction().execute(async (trx) => {
    // One import at a time across nodes (SQLite serialises writers by itself).
    if (store.kind === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext('caducee.directory.import'))`.execute(trx);
    let currentFile: ExtractSource | undefined;
    const staged = await stageSources(trx, sources, {
      lenientKeys: options.lenientKeys,
      onWarning: warning,
      onFile: (source) => {
        currentFile = source;
      },
      onBytes: (bytes) =>
        currentFile &&
        options.onProgress?.({ phase: 'read', file: currentFile.name, bytes, totalBytes: currentFile.size }),
    });
    await checkInactivationThreshold(trx, options.threshold, options.force ?? false);
    const totalPersons = undefined;
    const counts = await reconcile(trx, importedKinds, startedAt, {
      warning,
      persons: (done) => options.onProgress?.({ phase: 'apply', persons: done, totalPersons }),
    });
    const inactivated = await inactivateGone(trx, startedAt);
    await trx.deleteFrom('directory_import_line').execute();
    const result: ImportSummary = {
      importId,
      files: staged,
      linesRead: staged.reduce((total, file) => total + file.lines, 0),
      persons: { ...counts, inactivated },
      warnings,
      warningCount,
      startedAt,
      finishedAt: now(),
    };
    await trx
      .insertInto('directory_import')
      .values({
        id: importId,
        started_at: startedAt,
        finished_at: result.finishedAt,
        status: 'applied',
        files: JSON.stringify(staged),
        summary: JSON.stringify({ linesRead: result.linesRead, persons: result.persons, warningCount }),
      })
      .execute();
    return result;
  });
  const summary = await applying.finally(restoreCache);
  return summary;
}

/**
 * SQLite page cache of an import, in KiB. The default (2 MB) is far smaller than the indexes an
 * import inserts into in random order (person names, staged lines): nearly every insert then
 * misses the cache and spills a page to the WAL. 64 MB holds them for a national extract.
 */
const IMPORT_CACHE_KIB = 64 * 1024;

/** Raises the SQLite page cache for the import; returns what gives it back. */
async function raiseImportCache(store: Store): Promise<() => Promise<void>> {
  if (store.kind !== 'sqlite') return async () => {};
  const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(store.db);
  const previous = Number(rows[0]?.cache_size ?? -2000);
  await sql.raw(`pragma cache_size = -${IMPORT_CACHE_KIB}`).execute(store.db);
  return async () => {
    await sql.raw(`pragma cache_size = ${previous}`).execute(store.db);
  };
}
