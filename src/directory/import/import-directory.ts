import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../platform/store/index.ts';
import { type ExtractKind, type ExtractSource, resolveSources } from '../extract/index.ts';
import type { DirectoryDb } from '../store/tables.ts';
import { deferIndexesWhileEmpty, isEmpty } from './deferred-indexes.ts';
import { countActive, inactivateGone } from './inactivate.ts';
import { type ReconcileCounts, Reconciler } from './reconcile.ts';
import { ImportScratch } from './scratch.ts';
import { type StagedFile, stageFile } from './stage.ts';
import { applyStaged, streamPersons } from './stream.ts';

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
 *
 * The public extract's person file (else the PSC one) is read as a stream, person by person;
 * the other files are staged first so that each person finds its lines in them, then the persons
 * only they list are applied. A streamed file whose persons' lines are not together is found out
 * on the way: what it applied is undone and the file is staged like the others.
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
  const streamed =
    sources.find((source) => source.kind === 'activite') ?? sources.find((source) => source.kind === 'psc')!;
  const warnings = new Warnings();
  const importId = randomUUID();
  const db = store.db as DirectoryDb;

  const restoreCache = await raiseImportCache(store);
  const applying = db.transaction().execute(async (trx) => {
    // One import at a time across nodes (SQLite serialises writers by itself).
    if (store.kind === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext('caducee.directory.import'))`.execute(trx);
    const scratch = await ImportScratch.create(trx, store);
    const activeBefore = await countActive(trx);
    const emptyAtStart = await isEmpty(trx);
    const buildIndexes = await deferIndexesWhileEmpty(trx, store.kind, emptyAtStart);
    const read = (source: ExtractSource) => ({
      lenientKeys: options.lenientKeys,
      onWarning: (message: string) => warnings.add(message),
      onBytes: (bytes: number) =>
        options.onProgress?.({ phase: 'read', file: source.name, bytes, totalBytes: source.size }),
    });
    const reconciler = () => new Reconciler(trx, store, importedKinds, { now: startedAt, emptyAtStart });

    const readFiles = new Map<ExtractSource, StagedFile>();
    for (const source of sources)
      if (source !== streamed) readFiles.set(source, await stageFile(scratch, source, read(source)));
    await sql`savepoint directory_stream`.execute(trx);
    const beforeStream = warnings.mark();
    let persons = reconciler();
    let streamedFile = await streamPersons(scratch, streamed, read(streamed), (batch) =>
      persons.apply(batch),
    );
    if (!streamedFile) {
      await sql`rollback to savepoint directory_stream`.execute(trx);
      warnings.reset(beforeStream);
      persons = reconciler();
      streamedFile = await stageFile(scratch, streamed, read(streamed));
    }
    await sql`release savepoint directory_stream`.execute(trx);
    readFiles.set(streamed, streamedFile);
    await applyStaged(
      scratch,
      async (batch) => {
        await persons.apply(batch);
        options.onProgress?.({ phase: 'apply', persons: persons.counts.listed, totalPersons: undefined });
      },
      (message) => warnings.add(message),
    );

    const counts = persons.counts;
    const inactivated = await inactivateGone(
      trx,
      { activeBefore, listedActive: counts.changed + counts.unchanged },
      { threshold: options.threshold, force: options.force ?? false, now: startedAt },
    );
    await buildIndexes();
    await scratch.drop();
    const staged = sources.map((source) => readFiles.get(source)!);
    const result: ImportSummary = {
      importId,
      files: staged,
      linesRead: staged.reduce((total, file) => total + file.lines, 0),
      persons: { ...counts, inactivated },
      warnings: warnings.listed,
      warningCount: warnings.count,
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
        summary: JSON.stringify({
          linesRead: result.linesRead,
          persons: result.persons,
          warningCount: warnings.count,
        }),
      })
      .execute();
    return result;
  });
  const summary = await applying.finally(restoreCache);
  return summary;
}

/** Warnings of an import: all counted, the first ones kept. */
class Warnings {
  readonly listed: string[] = [];
  count = 0;

  add(message: string): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_WARNINGS) this.listed.push(message);
  }

  mark(): number {
    return this.count;
  }

  /** Forgets the warnings given since `mark` (their file is read again). */
  reset(mark: number): void {
    this.count = mark;
    this.listed.length = Math.min(this.listed.length, mark);
  }
}

/**
 * SQLite page caches of an import, in KiB. The defaults (2 MB) are far smaller than the B-trees
 * an import inserts into in random order (the person table's key, the listed identifiers): nearly
 * every insert would then miss the cache and spill a page. The temporary tables have their own.
 */
const IMPORT_CACHE_KIB = { main: 32 * 1024, temp: 32 * 1024 };

/** Raises the SQLite page caches for the import; returns what gives them back. */
async function raiseImportCache(store: Store): Promise<() => Promise<void>> {
  if (store.kind !== 'sqlite') return async () => {};
  const previous: Array<[string, number]> = [];
  for (const [schema, kib] of Object.entries(IMPORT_CACHE_KIB)) {
    const { rows } = await sql<{ cache_size: number }>`pragma ${sql.raw(schema)}.cache_size`.execute(
      store.db,
    );
    previous.push([schema, Number(rows[0]?.cache_size ?? -2000)]);
    await sql.raw(`pragma ${schema}.cache_size = -${kib}`).execute(store.db);
  }
  return async () => {
    for (const [schema, size] of previous)
      await sql.raw(`pragma ${schema}.cache_size = ${size}`).execute(store.db);
  };
}
