import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import {
  type CaduceeError,
  clientAddress,
  type Logger,
  limitedAddress,
  type RateLimiter,
  retryAfterOf,
  type Settings,
  trustedProxies,
} from '../../platform/index.ts';
import { TooManyRequests } from '../errors.ts';
import { KEYCLOAK_ROUTES } from './configuration.ts';

type Middleware = Parameters<Provider['use']>[0];
type KoaContext = Parameters<Middleware>[0];

/** The endpoints where a client authenticates (and CIBA, which pushes to a phone). */
const LIMITED_ROUTES = new Set([
  KEYCLOAK_ROUTES.token,
  KEYCLOAK_ROUTES.introspection,
  KEYCLOAK_ROUTES.revocation,
  KEYCLOAK_ROUTES.backchannel_authentication,
  KEYCLOAK_ROUTES.pushed_authorization_request,
]);

/** oidc-provider's own limit on these bodies: it refuses larger ones anyway. */
const MAX_BODY_BYTES = 56 * 1024;
const MINUTE = 60;
const FAILURE_WINDOW_SECONDS = 600;

/**
 * Rate limits of oidc-provider's client endpoints, as a Koa middleware run before its router:
 * requests per address; requests per client, counted once the client authenticated (so that no
 * one else can use up a relying party's allowance); failed client authentications per client
 * and address (guessing a secret), counted once the answer is known and checked before the
 * next attempt. Refusals are OAuth-shaped: 429, `Retry-After`, `{error, error_description}`.
 */
export function oauthRateLimits(options: {
  limiter: RateLimiter;
  settings: Settings;
  log: Logger;
}): Middleware {
  const { limiter, log } = options;
  const limits = options.settings.rateLimits;
  const proxies = trustedProxies(options.settings.http.trustedProxies);
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !LIMITED_ROUTES.has(ctx.path)) return next();
    const ip = clientAddress(ctx.req, proxies);
    const byAddress = await limiter.hit(
      `oauth:ip:${limitedAddress(ip)}`,
      limits.oauthRequestsPerAddress,
      MINUTE,
    );
    if (!byAddress.allowed)
      return refuse(ctx, TooManyRequests({ retryAfterSeconds: byAddress.retryAfterSeconds, per: 'address' }));
    const claimed = await claimedClientIds(ctx);
    if (claimed === 'too large') {
      ctx.status = 413;
      ctx.body = {
        error: 'invalid_request',
        error_description: `Requête trop volumineuse : ${MAX_BODY_BYTES} octets au plus.`,
      };
      return;
    }
    const failuresKey = (id: string) => `oauth:client-failures:${id}:${limitedAddress(ip)}`;
    const requestsKey = (id: string) => `oauth:client:${id}`;
    for (const id of claimed) {
      const [failures, requests] = await Promise.all([
        limiter.peek(failuresKey(id), limits.oauthClientFailuresPerAddress),
        limiter.peek(requestsKey(id), limits.oauthRequestsPerClient),
      ]);
      if (!failures.allowed)
        return refuse(
          ctx,
          TooManyRequests({ retryAfterSeconds: failures.retryAfterSeconds, per: 'client-failures' }),
        );
      if (!requests.allowed)
        return refuse(ctx, TooManyRequests({ retryAfterSeconds: requests.retryAfterSeconds, per: 'client' }));
    }
    await next();
    try {
      // 401 is oidc-provider's answer to a failed client authentication here, whatever the
      // format the client asked for (an HTML error page has no `error` field to read).
      if (ctx.status === 401) {
        await Promise.all(
          claimed.map((id) =>
            limiter.hit(failuresKey(id), limits.oauthClientFailuresPerAddress, FAILURE_WINDOW_SECONDS),
          ),
        );
      } else if (ctx.oidc?.client) {
        await limiter.hit(
          requestsKey(keyPart(ctx.oidc.client.clientId)),
          limits.oauthRequestsPerClient,
          MINUTE,
        );
      }
    } catch (error) {
      // The answer is made (tokens may have been issued): a counter that failed must not lose it.
      log.warn({ err: error }, 'oauth rate limit counter not updated');
    }
  };
}

function refuse(ctx: KoaContext, error: CaduceeError): void {
  ctx.status = 429;
  ctx.set('retry-after', String(retryAfterOf(error.details) ?? MINUTE));
  ctx.set('cache-control', 'no-store');
  // `temporarily_unavailable` is the registered OAuth error closest to "come back later".
  ctx.body = { error: 'temporarily_unavailable', error_description: error.message };
}

/** A client_id as part of a counter's key: long or odd ones (anyone can send one) are hashed. */
function keyPart(clientId: string): string {
  return /^[\w.~:@-]{1,100}$/.test(clientId)
    ? clientId
    : `sha256:${createHash('sha256').update(clientId).digest('base64url')}`;
}

/**
 * The client_ids a request claims, before any check: from the Basic header, else from the form
 * (`client_id`, or the subject of a `client_assertion`, decoded only). Reading the form consumes
 * the request body: it is handed to oidc-provider as an already read body (`req.body`), which it
 * accepts instead of reading the stream (and says so once in the process's output).
 */
async function claimedClientIds(ctx: KoaContext): Promise<string[] | 'too large'> {
  const basic = /^basic\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const raw = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    // RFC 6749 §2.3.1: the client_id is form-encoded inside the Basic credentials.
    let id = raw;
    try {
      id = decodeURIComponent(raw.replace(/\+/g, '%20'));
    } catch {}
    return id ? [keyPart(id)] : [];
  }
  if (!ctx.is('application/x-www-form-urlencoded')) return [];
  const body = await readBody(ctx.req, ctx.request.length);
  if (body === undefined) return 'too large';
  (ctx.req as IncomingMessage & { body?: string }).body = body;
  const form = new URLSearchParams(body);
  const ids = new Set<string>();
  const clientId = form.get('client_id');
  if (clientId) ids.add(clientId);
  const assertion = form.get('client_assertion');
  if (assertion) {
    try {
      const { sub, iss } = decodeJwt(assertion);
      for (const id of [sub, iss]) if (typeof id === 'string' && id) ids.add(id);
    } catch {
      // Not a JWT: oidc-provider refuses it, and the address limit counted it.
    }
  }
  return [...ids].map(keyPart);
}

async function readBody(req: IncomingMessage, length: number | undefined): Promise<string | undefined> {
  if (length !== undefined && length > MAX_BODY_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  // Not destroyed on an early return: the 413 answer must still reach the client.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    received += (chunk as Buffer).length;
    if (received > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, received).toString('utf8');
}
