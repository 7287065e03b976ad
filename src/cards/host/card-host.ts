import { constants, createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Context, Hono } from 'hono';
import type { TlsCredentials } from '../../pki/index.ts';
import {
  type AuditLog,
  answerClientErrors,
  asCaduceeError,
  type CaduceeError,
  clientAddressOf,
  createApp,
  type Limit,
  type Logger,
  limitedAddress,
  type RateLimiter,
  type RunningServer,
  type Settings,
  serveAssets,
  setRetryAfter,
  trustedProxies,
} from '../../platform/index.ts';
import type { Cards } from '../cards.ts';
import { CardReturnNotAllowed, CardTooManyAttempts } from '../errors.ts';
import type { CardIdentity } from '../verify/context.ts';
import { loginErrorPage, testCardPage } from './pages.ts';
import { presentedCertificate } from './presented-certificate.ts';

export interface CardHostOptions {
  cards: Cards;
  settings: Settings;
  audit: AuditLog;
  log: Logger;
  ready: () => Promise<void>;
  /** Counts card logins per address and per card (in Redis in the scale-out mode). */
  rateLimiter: RateLimiter;
}

/** Card logins are counted over 10 minutes. */
const CARD_WINDOW_SECONDS = 600;

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
  const limits = settings.rateLimits;
  /**
   * Each attempt costs a chain and revocation check and an audit event: a flood from one address,
   * or with one card (a card left in a reader driven by a script), is refused before that work.
   * "Tester ma carte" counts as a login: it is the same check.
   */
  const limit = async (ip: string, der: Uint8Array | undefined): Promise<CaduceeError | undefined> => {
    const counted: Array<Limit & { per: 'address' | 'card' }> = [
      {
        per: 'address',
        key: `card:ip:${limitedAddress(ip)}`,
        limit: limits.cardLoginsPerAddress,
        windowSeconds: CARD_WINDOW_SECONDS,
      },
    ];
    if (der) {
      const card = createHash('sha256').update(der).digest('base64url');
      counted.push({
        per: 'card',
        key: `card:cert:${card}`,
        limit: limits.cardLoginsPerCard,
        windowSeconds: CARD_WINDOW_SECONDS,
      });
    }
    const results = await Promise.all(
      counted.map(async (l) => ({
        per: l.per,
        ...(await options.rateLimiter.hit(l.key, l.limit, l.windowSeconds)),
      })),
    );
    const refused = results.find((result) => !result.allowed);
    return refused
      ? CardTooManyAttempts({ retryAfterSeconds: refused.retryAfterSeconds, per: refused.per })
      : undefined;
  };
  const check = async (
    c: Context,
    purpose: string,
  ): Promise<{ identity: CardIdentity } | { error: CaduceeError }> => {
    const ip = clientAddressOf(c, forwarders);
    const { der, ignoredHeader } = presentedCertificate(c, source);
    // Refused without an audit event: a flood must not fill the audit log either.
    const tooMany = await limit(ip, der);
    if (tooMany) return { error: tooMany };
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
    if ('error' in result) setRetryAfter(c, result.error);
    return c.html(testCardPage(result), 'error' in result ? statusOf(result.error) : 200);
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
      setRetryAfter(c, result.error);
      return c.html(loginErrorPage(result.error, back.toString()), statusOf(result.error));
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

/** A refused card is 401; a refusal by a rate limit says so (429). */
const statusOf = (error: CaduceeError) => (error.status === 429 ? 429 : 401);

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
    answerClientErrors(server as ReturnType<typeof createHttpServer>);
    server.once('error', reject);
  });
}
