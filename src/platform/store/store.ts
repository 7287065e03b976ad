import type { Kysely } from 'kysely';
import type { BulkInsert, BulkInsertOptions } from './bulk-insert.ts';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The durable store port. Domains type the Kysely instance with their own tables
 * (`store.db as Kysely<DirectoryTables>`); the platform knows no table.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<any>;
  /** Where it is, credentials hidden (for logs and `caducee config print`). */
  readonly description: string;
  /** PostgreSQL only: the schema the store was opened on, when one was named. */
  readonly schema?: string;
  ping(): Promise<void>;
  /** Inserts many rows into `table` inside the transaction `trx` of this store (bulk-insert.ts). */
  bulkInsert(
    trx: Kysely<any>,
    table: string,
    columns: readonly string[],
    options?: BulkInsertOptions,
  ): BulkInsert;
  close(): Promise<void>;
}
