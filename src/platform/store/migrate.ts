import { sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import type { Store } from './store.ts';

/**
 * Migrations are code. Each domain exports a record of migrations whose names sort in the order
 * they must run (`2026-11-25-01-directory`); `migrate` applies all pending ones.
 */
export type Migrations = Record<string, Migration>;

export interface MigrationOutcome {
  applied: string[];
}

export async function migrate(store: Store, ...sets: Migrations[]): Promise<MigrationOutcome> {
  const all: Migrations = Object.assign({}, ...sets);
  const provider: MigrationProvider = { getMigrations: async () => all };
  // A store opened on its own schema (an application with its own database) starts empty.
  if (store.kind === 'postgres' && store.schema) {
    try {
      await sql`create schema if not exists ${sql.id(store.schema)}`.execute(store.db);
    } catch (error) {
      // Two nodes starting together may both create it: the loser's error is not one.
      if (!['42P06', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
  // Kysely looks for its bookkeeping tables in every schema unless told which one: another
  // deployment (or test run) in the same database must not be mistaken for this one.
  const schema =
    store.kind === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'caducee_migration',
    migrationLockTableName: 'caducee_migration_lock',
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
