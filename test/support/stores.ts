import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { allMigrations } from '../../src/cli/system.ts';
import {
  type Migrations,
  migrate,
  openPostgresStore,
  openSqliteStore,
  type Store,
  type StoreKind,
} from '../../src/platform/store/index.ts';

/**
 * The integration suites run once per store, as Kysely's tests do per dialect: always on the
 * embedded SQLite store, and on PostgreSQL when CADUCEE_TEST_DATABASE_URL is set (CI sets it,
 * and sets CADUCEE_TEST_REQUIRE_PG=1 so that a missing server fails instead of skipping).
 */
export interface StoreCase {
  kind: StoreKind;
  /**
   * A fresh, migrated, empty store; `dispose` removes it. `migrations` replaces the project's
   * (a test of a migration starts from the schema before it).
   */
  open(options?: OpenOptions): Promise<OpenedStore>;
}

export interface OpenOptions {
  migrations?: (store: Store) => Migrations[];
}

export interface OpenedStore {
  store: Store;
  /** The settings that reach this same store (for CLI runs in a child process). */
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export function storeCases(): StoreCase[] {
  const cases: StoreCase[] = [{ kind: 'sqlite', open: openSqliteCase }];
  const url = process.env.CADUCEE_TEST_DATABASE_URL;
  if (url) cases.push({ kind: 'postgres', open: (options) => openPostgresCase(url, options) });
  else if (process.env.CADUCEE_TEST_REQUIRE_PG === '1') {
    throw new Error('CADUCEE_TEST_REQUIRE_PG=1 but CADUCEE_TEST_DATABASE_URL is not set');
  }
  return cases;
}

export async function migrated(store: Store, migrations = allMigrations): Promise<Store> {
  await migrate(store, ...migrations(store));
  return store;
}

async function openSqliteCase(options: OpenOptions = {}): Promise<OpenedStore> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caducee-test-'));
  const store = await migrated(openSqliteStore(path.join(dataDir, 'caducee.sqlite')), options.migrations);
  return {
    store,
    env: { CADUCEE_DATA_DIR: dataDir },
    async dispose() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPostgresCase(url: string, options: OpenOptions = {}): Promise<OpenedStore> {
  const schema = `caducee_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = await migrated(openPostgresStore(url, { schema }), options.migrations);
  const separator = url.includes('?') ? '&' : '?';
  return {
    store,
    env: { CADUCEE_DATABASE_URL: `${url}${separator}options=-c%20search_path%3D${schema}` },
    async dispose() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}
