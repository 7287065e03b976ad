export type { BulkInsert, BulkInsertOptions } from './bulk-insert.ts';
export { openPostgresStore, type PostgresStoreOptions } from './dialect/postgres/index.ts';
export { openSqliteStore } from './dialect/sqlite/index.ts';
export { type MigrationOutcome, type Migrations, migrate } from './migrate.ts';
export { openStore, type StoreLocation } from './open.ts';
export type { Store, StoreKind } from './store.ts';
