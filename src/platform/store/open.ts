import path from 'node:path';
import type { Settings } from '../config/index.ts';
import { openPostgresStore } from './dialect/postgres/index.ts';
import { openSqliteStore } from './dialect/sqlite/index.ts';
import type { Store } from './store.ts';

/**
 * Where a store lives when it is not the deployment's main one: an application with its own
 * database (a relying party) names its SQLite file in the data directory and its PostgreSQL
 * schema in the same database, so that it shares no table with the provider.
 */
export interface StoreLocation {
  /** SQLite file name under the data directory (default `caducee.sqlite`). */
  file?: string;
  /** PostgreSQL schema (default: the connection's search path); created by `migrate` if missing. */
  schema?: string;
}

/** PostgreSQL when `databaseUrl` is set, otherwise the SQLite file of the data directory. */
export function openStore(
  settings: Pick<Settings, 'databaseUrl' | 'dataDir'>,
  location: StoreLocation = {},
): Store {
  if (settings.databaseUrl) return openPostgresStore(settings.databaseUrl, { schema: location.schema });
  return openSqliteStore(path.join(settings.dataDir, location.file ?? 'caducee.sqlite'));
}
