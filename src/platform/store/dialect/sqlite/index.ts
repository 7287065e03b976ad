import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../../store.ts';
import { preparedInsert } from './bulk-insert.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';

/** The embedded store: one SQLite file in the data directory (`:memory:` for throw-away use). */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const database = new NodeSqliteDatabase(file);
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  return {
    kind: 'sqlite',
    db,
    description: file,
    async ping() {
      await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    },
    bulkInsert: (trx, table, columns, options) => preparedInsert(database, trx, table, columns, options),
    async close() {
      await db.destroy();
    },
  };
}
