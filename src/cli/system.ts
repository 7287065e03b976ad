import { createDirectory, type Directory, directoryMigrations } from '../directory/index.ts';
import { type LoadedSettings, loadSettings, type Settings } from '../platform/config/index.ts';
import { StoreUnavailable } from '../platform/errors/index.ts';
import { migrate, openStore, type Store } from '../platform/store/index.ts';

/** The domains wired on one store: what commands and servers work with. */
export interface System {
  settings: Settings;
  store: Store;
  directory: Directory;
  close(): Promise<void>;
}

export function allMigrations(store: Store) {
  return [directoryMigrations(store.kind)];
}

export async function openSystem(loaded: LoadedSettings = loadSettings()): Promise<System> {
  const { settings } = loaded;
  const store = openStore(settings);
  try {
    await migrate(store, ...allMigrations(store));
  } catch (error) {
    await store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|3D000|28P01|28000)$/.test(code)) {
      throw StoreUnavailable({ store: store.description, reason: (error as Error).message || code }, error);
    }
    throw error;
  }
  return {
    settings,
    store,
    directory: createDirectory(store, settings),
    close: () => store.close(),
  };
}
