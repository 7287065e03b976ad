import { sql } from 'kysely';
import type { StoreKind } from '../../platform/store/index.ts';
import type { DirectoryDb } from '../store/tables.ts';

/** Whether the directory has no person at all (never imported). */
export async function isEmpty(trx: DirectoryDb): Promise<boolean> {
  return !(await trx.selectFrom('directory_person').select('idnat').limit(1).executeTakeFirst());
}

/**
 * Loading into an empty directory (the first import of a national extract), the search indexes
 * are dropped and built again once every row is in, in the same transaction: building an index
 * sorts the finished table once, where inserting a million entries in random order misses the
 * page cache on nearly every one. SQLite only: other processes keep reading the last committed
 * state meanwhile (WAL), and a failed import rolls the drop back. On PostgreSQL dropping an index
 * would lock every reader out of the table until the import ends. Returns what rebuilds them.
 */
export async function deferIndexesWhileEmpty(
  trx: DirectoryDb,
  kind: StoreKind,
  empty: boolean,
): Promise<() => Promise<void>> {
  if (kind !== 'sqlite' || !empty) return async () => {};
  // The indexes as the migrations left them (primary keys have no SQL text and stay).
  const { rows: indexes } = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master
    where type = 'index' and sql is not null and tbl_name in ('directory_person', 'directory_facet')`.execute(
    trx,
  );
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
  return async () => {
    for (const index of indexes) await sql.raw(index.sql).execute(trx);
  };
}
