import path from 'node:path';
import {
  type Logger,
  listen,
  loadOrCreateKey,
  migrate,
  openStore,
  type RunningServer,
  type Store,
} from '../platform/index.ts';
import { ESPACE_MEDECIN_STORE, espaceMedecinApp, espaceMedecinMigrations } from '../rp/index.ts';
import { ensureEspaceMedecinClient } from './demo/espace-medecin-client.ts';
import { portOf } from './servers.ts';
import type { System } from './system.ts';

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString().replace(/\/$/, '');
}

/**
 * The espace médecin relying party on its own origin (`settings.espaceMedecin.url`), with its
 * own database: `<data>/espace-medecin.sqlite`, or the schema `espace_medecin` of the PostgreSQL
 * database. It reaches the provider over HTTPS only, trusting the deployment's CA. `options`
 * lets tests give the store and a clock they move.
 */
export async function startEspaceMedecinServer(
  system: System,
  log: Logger,
  port = portOf(system.settings.espaceMedecin.url),
  options: { store?: Store; clock?: () => Date } = {},
): Promise<RunningServer> {
  const { settings } = system;
  const { clientId, clientSecret } = await ensureEspaceMedecinClient(system);
  const store = options.store ?? openStore(settings, ESPACE_MEDECIN_STORE);
  try {
    await migrate(store, espaceMedecinMigrations());
    const app = espaceMedecinApp({
      store,
      url: settings.espaceMedecin.url,
      issuer: settings.idp.url,
      clientId,
      clientSecret,
      caPem: (await system.tls()).caPem,
      mail: system.messaging().mail,
      // Outside the database, like the e-CPS PIN key: a stolen database alone opens no code.
      key: loadOrCreateKey(path.join(settings.dataDir, 'secrets', 'espace-medecin.key')),
      log,
      clock: options.clock,
      trustedProxies: settings.http.trustedProxies,
    });
    const server = await listen(app, {
      host: settings.listenHost,
      port,
      publicUrl: (actual) => withPort(settings.espaceMedecin.url, actual),
    });
    return {
      ...server,
      async close() {
        await server.close();
        if (!options.store) await store.close();
      },
    };
  } catch (error) {
    if (!options.store) await store.close();
    throw error;
  }
}
