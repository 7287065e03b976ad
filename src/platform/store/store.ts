import type { Kysely } from 'kysely';

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
  close(): Promise<void>;
}
