import type { Kysely } from 'kysely';
import type { BulkInsert, BulkInsertOptions } from '../../bulk-insert.ts';
import type { NodeSqliteDatabase } from './node-sqlite-database.ts';

/**
 * SQLite's bulk insert: one prepared single-row statement run for each row, straight on the
 * store's connection. The store has that one connection, so the statements run inside whatever
 * transaction holds it: call it with the transaction `trx` that will use it. Row by row in
 * process costs less than multi-row VALUES (measured: 5.7 s against 9.1 s for 767 000 persons),
 * and much less than a query through Kysely for each row. `insert or ignore`: SQLite's `on
 * conflict do nothing` measured four times slower on a large table.
 */
export function preparedInsert(
  database: NodeSqliteDatabase,
  trx: Kysely<any>,
  table: string,
  columns: readonly string[],
  options: BulkInsertOptions = {},
): BulkInsert {
  const query = trx.insertInto(table).values(Object.fromEntries(columns.map((column) => [column, null])));
  const statement = database.prepareDirect(
    (options.ignoreConflicts ? query.orIgnore() : query).compile().sql,
  );
  return {
    async insert(rows) {
      let inserted = 0;
      for (const row of rows) inserted += Number(statement.run(...(row as SqliteValue[])).changes);
      return inserted;
    },
  };
}

type SqliteValue = null | number | bigint | string | NodeJS.ArrayBufferView;
