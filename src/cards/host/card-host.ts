import { constants } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { TlsCredentials } from '../../pki/index.ts';
import {
  type AuditLog,
  asCaduceeError,
  type CaduceeError,
  clientAddressOf,
  createApp,
  type Logger,
  type RunningServer,
  type Settings,
  serveAssets,
  trustedProxies,
} from '../../platform/index.ts';
import type { Cards } from '../cards.ts';
import { CardReturnNotAllowed } from '../errors.ts';
import type { CardIdentity } from '../verify/context.ts';
import { loginErrorPage, testCardPage } from './pages.ts';
import { presentedCertificate } from './presented-certificate.ts';

export interface CardHostOptions {
  cards: Cards;
  settings: Settings;
  audit: AuditLog;
  log: Logger;
  ready: () => Promise<void>;
}

/**
 * The card host: a separate origin that asks for a client certificate (browsers prompt whenever
 * a host asks, and TLS 1.3 cannot ask per path), checks it, and hands the identity back to the
 * main origin. Also "Tester ma carte" and the CRLs.
 */
export function createCardHostApp(options: CardHostOptions): Hono {
  const { cards, settings, audit } = options;
  const app = createApp({ service: 'card-host', log: options.log, ready: options.ready });
  serveAssets(app);
  const mode = settings.cardHost.mode as 'tls' | 'proxy';
  const source = {
    mode,
    trustedProxies: trustedProxies(settings.cardHost.trustedProxies),
    proxyHeader: settings.cardHost.proxyHeader,
  };
  // In proxy mode the proxy that forwards the card also says who the client is.
  const forwarders = trustedProxies(
    settings.http.trustedProxies,
    mode === 'proxy' ? settings.cardHost.trustedProxies : '',
  );
  const check = async (
    c: Context,
    purpose: string,
  ): Promise<{ identity: CardIdentity } | { error: CaduceeError }> => {
    const ip = clientAddressOf(c, forwarders);
    const { der, ignoredHeader } = presentedCertificate(c, source);
    if (ignoredHeader) {
      await audit.record({
        type: 'card.proxy-header-ignored',
        outcome: 'failure',
        ip,
        details: { header: source.proxyHeader },
      });
    }
    try {
      const identity = await cards.verify(der);
      await audit.record({
        type: purpose,
        outcome: 'success',
        actor: identity.idnat,
        subject: identity.serial,
        ip,
        method: 'card',
      });
      return { identity };
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      await audit.record({
        type: purpose,
        outcome: 'failure',
        ip,
        method: 'card',
        details: { code: error.code },
      });
      return { error };
    }
  };

  app.get('/', async (c) => {
    const result = await check(c, 'card.test');
    return c.html(testCardPage(result), 'error' in result ? 401 : 200);
  });

  app.get('/connexion', async (c) => {
    const { rid, nonce, retour } = c.req.query();
    const allowedPrefix = `${settings.idp.url.replace(/\/$/, '')}/`;
    if (!retour?.startsWith(allowedPrefix) || !rid || !nonce) {
      const error = CardReturnNotAllowed({ url: retour ?? '' });
      return c.html(loginErrorPage(error, undefined), 400);
    }
    const result = await check(c, 'card.login');
    if ('error' in result) {
      const back = new URL(retour);
      back.searchParams.set('error', result.error.code);
      return c.html(loginErrorPage(result.error, back.toString()), 401);
    }
    const assertion = await cards.assertions.sign(result.identity, rid, nonce);
    const target = new URL(retour);
    target.searchParams.set('assertion', assertion);
    return c.redirect(target.toString(), 303);
  });

  for (const authority of ['persons', 'root'] as const) {
    app.get(`/crl/${authority}-ca.crl`, async (c) =>
      c.body(new Uint8Array(await cards.crl(authority)), 200, {
        'content-type': 'application/pkix-crl',
        'cache-control': 'no-cache',
      }),
    );
    app.get(`/ca/${authority}-ca.pem`, (c) =>
      c.body(cards.hierarchy[authority].pem, 200, { 'content-type': 'application/x-pem-file' }),
    );
  }
  return app;
}

/** Listens: HTTPS asking for a client certificate, or plain HTTP behind the proxy in proxy mode. */
export function startCardHost(
  app: Hono,
  settings: Settings,
  tls: TlsCredentials,
  options: { port: number; personsCaPem: string },
): Promise<RunningServer> {
  const proxy = settings.cardHost.mode === 'proxy';
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: settings.listenHost,
        port: options.port,
        createServer: (proxy ? createHttpServer : createHttpsServer) as typeof createHttpsServer,
        serverOptions: proxy
          ? {}
          : {
              key: tls.keyPem,
              cert: tls.fullChainPem,
              requestCert: true,
              // The card is checked by the application, so that each failure gets its own page.
              rejectUnauthorized: false,
              // The CA names sent in the certificate request let browsers offer only CPS certificates.
              ca: [options.personsCaPem],
              // No resumption: every connection presents the card again, as a card reader session.
              secureOptions: constants.SSL_OP_NO_TICKET,
            },
      },
      (info: AddressInfo) => {
        const scheme = proxy ? 'http' : 'https';
        resolve({
          port: info.port,
          url: proxy
            ? `${scheme}://${settings.listenHost}:${info.port}`
            : settings.cardHost.url.replace(/:\d+$/, `:${info.port}`),
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
