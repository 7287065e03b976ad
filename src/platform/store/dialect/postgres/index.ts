import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../../store.ts';
import { multiRowInsert } from './bulk-insert.ts';

export interface PostgresStoreOptions {
  /** Schema searched first; tests give each run its own. */
  schema?: string;
  maxConnections?: number;
}

// COUNT(*) and BIGINT columns come back as strings by default; our counts fit in a double.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text'),
};

/** The scale-out store: PostgreSQL through a connection pool. */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  // The name goes into the connection's options string: only plain identifiers may.
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: types as pg.CustomTypesConfig,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its server must not crash the process: the pool replaces it.
  pool.on('error', () => {});
  // Nor a client losing it in the middle of a query: the query fails (STORE_UNAVAILABLE), the
  // client's own 'error' event would otherwise be unhandled and end the process.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const safeUrl = url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:********@');
  return {
    kind: 'postgres',
    db,
    schema: options.schema,
    description: options.schema ? `${safeUrl} (schema ${options.schema})` : safeUrl,
    async ping() {
      await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    },
    bulkInsert: multiRowInsert,
    async close() {
      await db.destroy();
    },
  };
}
