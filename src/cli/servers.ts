import { directoryRoutes } from '../directory/index.ts';
import { createApp, type Logger, listen, type RunningServer } from '../platform/index.ts';
import type { System } from './system.ts';

/** Listening port of a public URL (its explicit port, else the scheme's default). */
export function portOf(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

/**
 * The identity provider's origin. At this stage it serves the directory API; the OpenID
 * provider, login pages and TLS join it with the PKI and provider issues, which is why it is
 * served over plain HTTP on the provider's port for now.
 */
export async function startIdpServer(
  system: System,
  log: Logger,
  port = portOf(system.settings.idp.url),
): Promise<RunningServer> {
  const app = createApp({ service: 'idp', log, ready: () => system.store.ping() });
  app.route('/api/directory', directoryRoutes(system.directory));
  app.get('/', (c) => c.redirect('/api/directory/openapi.json'));
  const host = system.settings.listenHost;
  const publicHost = new URL(system.settings.idp.url).hostname;
  return listen(app, { host, port, publicUrl: (actual) => `http://${publicHost}:${actual}` });
}
