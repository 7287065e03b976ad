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
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'caducee_migration',
    migrationLockTableName: 'caducee_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
