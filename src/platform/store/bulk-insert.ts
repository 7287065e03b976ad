/**
 * Bulk loading, the port (`Store.bulkInsert`): rows of one shape inserted many at a time inside
 * a transaction, without Kysely building and compiling a query for each batch, which for a
 * million rows costs more than the database's own work. Each store has its adapter: prepared
 * statements run row by row on SQLite (in process, where multi-row VALUES measured slower), and
 * multi-row statements on PostgreSQL (one round trip per hundred rows).
 */
export interface BulkInsertOptions {
  /** Rows whose key is already there are skipped instead of failing the insert. */
  ignoreConflicts?: boolean;
}

export interface BulkInsert {
  /** Inserts rows given as values in the order of the columns; returns how many were inserted. */
  insert(rows: ReadonlyArray<ReadonlyArray<unknown>>): Promise<number>;
}
