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

  const T0 = performance.now();
  const T = (label: string) =>
    process.env.XTIME && process.stderr.write(`${label} ${Math.round(performance.now() - T0)}\n`);
  const summary = await db.transaction().execute(async (trx) => {
    // One import at a time across nodes (SQLite serialises writers by itself).
    if (store.kind === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext('caducee.directory.import'))`.execute(trx);
    const XSTAGE = process.env.XSTAGE;
    if (store.kind === 'sqlite' && process.env.XICACHE) {
      await sql.raw(`pragma cache_size = ${process.env.XICACHE}`).execute(trx);
      await sql.raw(`pragma temp.cache_size = ${process.env.XICACHE}`).execute(trx);
    }
    if (store.kind === 'sqlite' && XSTAGE) {
      await trx.deleteFrom('directory_import_line').execute();
      if (XSTAGE === 'worowid')
        await sql`create temp table directory_import_line (idnat text not null, kind text not null, seq integer not null, payload text not null, primary key (idnat, kind, seq)) without rowid`.execute(
          trx,
        );
      else
        await sql`create temp table directory_import_line (idnat text not null, kind text not null, seq integer not null, payload text not null)`.execute(
          trx,
        );
    }
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
    T('staged');
    if (store.kind === 'sqlite' && XSTAGE === 'rowid')
      await sql`create index temp.directory_import_line_order on directory_import_line (idnat, kind, seq)`.execute(
        trx,
      );
    T('indexed');
    await checkInactivationThreshold(trx, options.threshold, options.force ?? false);
    const totalPersons = undefined;
    const counts = await reconcile(trx, importedKinds, startedAt, {
      warning,
      persons: (done) => options.onProgress?.({ phase: 'apply', persons: done, totalPersons }),
    });
    T('reconciled');
    const inactivated = await inactivateGone(trx, startedAt);
    T('inactivated');
    await trx.deleteFrom('directory_import_line').execute();
    T('deleted');
    if (store.kind === 'sqlite' && XSTAGE) await sql`drop table temp.directory_import_line`.execute(trx);
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
  T('committed');
  return summary;
}
