import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { cardLoginRoutes, createCardHostApp, startCardHost } from '../cards/index.ts';
import { directoryRoutes } from '../directory/index.ts';
import { createApp, type Logger, type RunningServer, serveAssets } from '../platform/index.ts';
import type { System } from './system.ts';

/** Listening port of a public URL (its explicit port, else the scheme's default). */
export function portOf(url: string): number {
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
}

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString().replace(/\/$/, '');
}

async function listenHttps(
  app: Hono,
  system: System,
  port: number,
  publicUrl: string,
): Promise<RunningServer> {
  const tls = await system.tls();
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: system.settings.listenHost,
        port,
        createServer: createHttpsServer,
        serverOptions: { key: tls.keyPem, cert: tls.fullChainPem },
      },
      (info: AddressInfo) =>
        resolve({
          port: info.port,
          url: withPort(publicUrl, info.port),
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        }),
    );
    server.once('error', reject);
  });
}

/** The identity provider's origin: directory API, card login hand-off (the OpenID provider joins it). */
export async function startIdpServer(
  system: System,
  log: Logger,
  port = portOf(system.settings.idp.url),
): Promise<RunningServer> {
  const app = createApp({ service: 'idp', log, ready: () => system.store.ping() });
  serveAssets(app);
  app.route('/api/directory', directoryRoutes(system.directory));
  app.route(
    '/carte-cps',
    cardLoginRoutes({
      cards: await system.cards(),
      directory: system.directory,
      settings: system.settings,
      audit: system.audit,
    }),
  );
  app.get('/', (c) => c.redirect('/carte-cps'));
  return listenHttps(app, system, port, system.settings.idp.url);
}

/** The card host origin (TLS client authentication, or behind nginx in proxy mode). */
export async function startCardHostServer(
  system: System,
  log: Logger,
  port?: number,
): Promise<RunningServer> {
  const cards = await system.cards();
  const app = createCardHostApp({
    cards,
    settings: system.settings,
    audit: system.audit,
    log,
    ready: () => system.store.ping(),
  });
  const listenPort = port ?? (system.settings.cardHost.listenPort || portOf(system.settings.cardHost.url));
  return startCardHost(app, system.settings, await system.tls(), {
    port: listenPort,
    personsCaPem: cards.hierarchy.persons.pem,
  });
}
