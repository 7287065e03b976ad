import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { cardLoginRoutes, createCardHostApp, startCardHost } from '../cards/index.ts';
import { directoryRoutes } from '../directory/index.ts';
import { ECPS_API_MAX_BODY_BYTES, type EcpsDb, ecpsApiRoutes } from '../ecps/index.ts';
import { outboxApp, startSmtpCatcher } from '../messaging/index.ts';
import { createOidc, type Oidc } from '../oidc/index.ts';
import {
  answerClientErrors,
  createApp,
  type Logger,
  listen,
  loadOrCreateKey,
  type RunningServer,
  serveAssets,
  trustedProxies,
} from '../platform/index.ts';
import { type PortalDb, portalRoutes } from '../portal/index.ts';
import { demoRelyingParty, lieuxApp } from '../rp/index.ts';
import { walletAppRoutes } from '../wallet/index.ts';
import { ensureLieuxClient } from './demo/lieux-client.ts';
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

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

async function listenHttps(
  listener: Listener,
  system: System,
  port: number,
  publicUrl: string,
): Promise<RunningServer> {
  const tls = await system.tls();
  const server = createHttpsServer({ key: tls.keyPem, cert: tls.fullChainPem }, listener);
  answerClientErrors(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, system.settings.listenHost, () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        port: actual,
        url: withPort(publicUrl, actual),
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * The identity provider's origin: the OpenID provider (PSC-compatible) and its login pages, the
 * card login hand-off, the directory API.
 */
export async function startIdpServer(
  system: System,
  log: Logger,
  port = portOf(system.settings.idp.url),
  demo?: { clientId: string; clientSecret: string; redirectUri: string },
): Promise<RunningServer & { oidc: Oidc }> {
  const cards = await system.cards();
  const ecps = system.ecps();
  const oidc = await createOidc({
    store: system.store,
    directory: system.directory,
    cards,
    settings: system.settings,
    audit: system.audit,
    log,
    ecps,
    redis: system.redis(),
    events: system.events(),
    rateLimiter: system.rateLimiter(),
  });
  // "Je me déconnecte de toutes les sessions" in the app ends the provider's sessions.
  ecps.onLogoutEverywhere((idnat) => oidc.endSessionsOf(idnat, { method: 'ecps' }));
  // Expiry reminders: hourly; each device is claimed in the store, so several nodes send one e-mail.
  const reminders = setInterval(() => {
    ecps.sendExpiryReminders().catch((error) => log.warn({ err: error }, 'e-CPS expiry reminders failed'));
  }, 3_600_000);
  reminders.unref();
  const app = createApp({
    service: 'idp',
    log,
    ready: () => system.ping(),
    bodyLimits: { '/ecps/api/': ECPS_API_MAX_BODY_BYTES },
  });
  serveAssets(app);
  app.route('/interaction', oidc.interactions);
  const issuer = system.settings.idp.url.replace(/\/$/, '');
  app.route(
    '/ecps/api',
    ecpsApiRoutes({
      ecps,
      db: system.store.db as EcpsDb,
      publicBase: issuer,
      trustedProxies: trustedProxies(system.settings.http.trustedProxies),
    }),
  );
  app.route('/ecps/app', walletAppRoutes());
  app.route('/api/directory', directoryRoutes(system.directory));
  app.get('/ecps/portail/', (c) => c.redirect('/ecps/portail', 301));
  app.route(
    '/ecps/portail',
    portalRoutes({
      db: system.store.db as PortalDb,
      ecps,
      cards,
      directory: system.directory,
      settings: system.settings,
      audit: system.audit,
    }),
  );
  app.route(
    '/carte-cps',
    cardLoginRoutes({ cards, directory: system.directory, settings: system.settings, audit: system.audit }),
  );
  if (demo) {
    app.route('/demo', demoRelyingParty({ issuer, ...demo, caPem: (await system.tls()).caPem }));
  }
  app.get('/', (c) => c.redirect(demo ? '/demo' : '/.well-known/openid-configuration'));
  const server = await listenHttps(oidc.listener(app), system, port, system.settings.idp.url);
  return { ...server, oidc };
}

/** The lieux d'exercice relying party (Santé.fr-like), registered as a client if needed. */
export async function startLieuxServer(
  system: System,
  log: Logger,
  port = portOf(system.settings.lieux.url),
): Promise<RunningServer> {
  const { clientId, clientSecret } = await ensureLieuxClient(system);
  const url = system.settings.lieux.url.replace(/\/$/, '');
  const app = lieuxApp({
    url,
    issuer: system.settings.idp.url,
    clientId,
    clientSecret,
    caPem: (await system.tls()).caPem,
    cookieKey: loadOrCreateKey(path.join(system.settings.dataDir, 'secrets', 'lieux-cookie.key')).subarray(
      0,
      32,
    ),
    log,
  });
  return listen(app, {
    host: system.settings.listenHost,
    port,
    publicUrl: (actual) => withPort(url, actual),
  });
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
    ready: () => system.ping(),
    rateLimiter: system.rateLimiter(),
  });
  const listenPort = port ?? (system.settings.cardHost.listenPort || portOf(system.settings.cardHost.url));
  return startCardHost(app, system.settings, await system.tls(), {
    port: listenPort,
    personsCaPem: cards.hierarchy.persons.pem,
  });
}

/**
 * The embedded default's messaging: the SMTP catcher and the dev outbox pages. With a real SMTP
 * server and SMS gateway configured, there is nothing to start.
 */
export async function startMessagingServers(system: System, log: Logger): Promise<RunningServer[]> {
  const messaging = system.messaging();
  if (!messaging.embedded) return [];
  const catcher = await startSmtpCatcher(messaging.outbox, { port: system.settings.messaging.catcherPort });
  const app = outboxApp(messaging.outbox, log, () => system.store.ping());
  const url = system.settings.outbox.url;
  const server = await listen(app, {
    host: system.settings.listenHost,
    port: portOf(url),
    publicUrl: () => url.replace(/\/$/, ''),
  });
  return [{ url: `smtp://127.0.0.1:${catcher.port}`, port: catcher.port, close: catcher.close }, server];
}
