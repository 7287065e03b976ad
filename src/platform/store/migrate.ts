import { type Kysely, sql } from 'kysely';
import { StoreSchemaNewer } from '../errors/catalogue.ts';
import type { Store } from './store.ts';

/**
 * Migrations are code. Each domain exports a record of migrations whose names sort in the order
 * they must run (`2026-11-25-01-directory`); `migrate` applies all pending ones.
 */
export type Migrations = Record<string, Migration>;

/** One step of a schema's history; there is no way down: a fix is a new migration. */
export interface Migration {
  up(db: Kysely<any>): Promise<void>;
}

export interface MigrationOutcome {
  applied: string[];
}

/** Kept from the Kysely Migrator used before, so that existing databases carry on. */
const TABLE = 'caducee_migration';

/**
 * Our own runner rather than Kysely's Migrator: that one checks for its table by introspecting
 * every table of every schema of the database, which is slow on a shared server and fails when
 * another schema is dropped meanwhile (`pg_get_serial_sequence` on a relation that just went);
 * it also took one advisory lock for the whole database and ran SQLite migrations outside a
 * transaction. Here each store looks at its own schema only, takes a lock of its own, and
 * applies all pending migrations in one transaction on both stores: all or nothing.
 */
export async function migrate(store: Store, ...sets: Migrations[]): Promise<MigrationOutcome> {
  const all: Migrations = Object.assign({}, ...sets);
  const names = Object.keys(all).sort();
  if (store.kind === 'postgres' && store.schema) {
    await tolerateConcurrentCreation(
      sql`create schema if not exists ${sql.id(store.schema)}`.execute(store.db),
    );
  }
  await tolerateConcurrentCreation(
    store.db.schema
      .createTable(TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (column) => column.primaryKey())
      .addColumn('timestamp', 'varchar(255)', (column) => column.notNull())
      .execute(),
  );
  return store.db.transaction().execute(async (trx) => {
    await lock(store, trx);
    const executed = (await trx.selectFrom(TABLE).select('name').execute()).map((row) => row.name as string);
    const known = new Set(names);
    const unknown = executed.filter((name) => !known.has(name)).sort();
    if (unknown.length > 0) throw StoreSchemaNewer({ store: store.description, migrations: unknown });
    const done = new Set(executed);
    const pending = names.filter((name) => !done.has(name));
    for (const name of pending) {
      await all[name]!.up(trx);
      await trx.insertInto(TABLE).values({ name, timestamp: new Date().toISOString() }).execute();
    }
    return { applied: pending };
  });
}

/**
 * Two processes starting together (nodes, a CLI beside a server) take turns: the first applies
 * the pending migrations, the second then finds none.
 */
async function lock(store: Store, trx: Kysely<any>): Promise<void> {
  if (store.kind === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ${`.${TABLE}`}))`.execute(trx);
  } else {
    // A write as the first statement takes SQLite's write lock now rather than at the first
    // migration, where two deferred transactions would deadlock on the upgrade.
    await trx.deleteFrom(TABLE).where(sql<boolean>`0`).execute();
  }
}

/** `if not exists` is not atomic in PostgreSQL's catalogue: the loser of a race gets an error. */
async function tolerateConcurrentCreation(creation: Promise<unknown>): Promise<void> {
  try {
    await creation;
  } catch (error) {
    if (!['42P06', '42P07', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
}
