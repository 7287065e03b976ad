import path from 'node:path';
import type { Settings } from '../config/index.ts';
import { openPostgresStore } from './dialect/postgres/index.ts';
import { openSqliteStore } from './dialect/sqlite/index.ts';
import type { Store } from './store.ts';

/** PostgreSQL when `databaseUrl` is set, otherwise the SQLite file of the data directory. */
export function openStore(settings: Pick<Settings, 'databaseUrl' | 'dataDir'>): Store {
  if (settings.databaseUrl) return openPostgresStore(settings.databaseUrl);
  return openSqliteStore(path.join(settings.dataDir, 'caducee.sqlite'));
}
