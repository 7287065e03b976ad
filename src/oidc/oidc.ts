import type { Hono } from 'hono';
import Provider, { errors } from 'oidc-provider';
import type { Cards } from '../cards/index.ts';
import type { Directory } from '../directory/index.ts';
import type { Ecps } from '../ecps/index.ts';
import type { AuditLog, EventBus, Logger, RateLimiter, Redis, Settings, Store } from '../platform/index.ts';
import { kyselyAdapterFactory, purgeExpired } from './adapter/kysely-adapter.ts';
import { redisSessionIdsOf, splitAdapterFactory } from './adapter/redis-adapter.ts';
import { pscSubject } from './claims/index.ts';
import { providerOriginListener } from './http/listener.ts';
import { interactionRoutes } from './interaction/routes.ts';
import { loadClientSecretKey } from './keys/client-secret-key.ts';
import { cookieKeys, deploymentId } from './keys/secrets.ts';
import { ensureSigningKeys } from './keys/signing-keys.ts';
import { enlargeClientCache } from './provider/client-cache.ts';
import { providerConfiguration } from './provider/configuration.ts';
import { endSessionsOfAccount, storeGrantIdsOf, storeSessionIdsOf } from './provider/end-sessions.ts';
import { answerFailures } from './provider/failures.ts';
import { ProviderHolder } from './provider/provider-holder.ts';
import { oauthRateLimits } from './provider/rate-limits.ts';
import { rememberingSecretOpener, sealClearClientSecrets } from './store/client-secrets.ts';
import type { OidcDb } from './store/tables.ts';

/** Event published when signing keys change, so that every node reloads them at once. */
export const KEYS_ROTATED = 'oidc.keys.rotated';

/** The Pro Santé Connect-compatible OpenID provider, wired on the project's store. */
export interface Oidc {
  holder: ProviderHolder;
  deploymentId: string;
  /** Issuer path prefix (`''` at the root). */
  prefix: string;
  /** Login pages, to mount at `/interaction`. */
  interactions: Hono;
  /** The Node listener of the provider's origin, given the Hono app of our own pages. */
  listener(app: Hono): ReturnType<typeof providerOriginListener>;
  /**
   * "Je me déconnecte de toutes les sessions": ends every provider session of the professional,
   * revokes the grants given through them (their codes, access and refresh tokens stop working),
   * sends back-channel logout to their clients that registered a URI, and records
   * `oidc.logout_all`. `context` is what the audit log keeps of the caller's request; `actor`, when
   * someone else than the professional asks (an operator's opposition), is recorded as the actor
   * and the professional as the subject. Returns the number of sessions ended.
   */
  endSessionsOf(
    idnat: string,
    context?: { ip?: string | null; method?: string | null; actor?: string },
  ): Promise<number>;
}

export async function createOidc(options: {
  store: Store;
  directory: Directory;
  cards: Cards;
  settings: Settings;
  audit: AuditLog;
  log: Logger;
  /** Offers "Application e-CPS" on the login page. */
  ecps?: Ecps;
  /** Scale-out mode: the short-lived provider state goes to Redis. */
  redis?: Redis;
  /** Tells every node at once of a key rotation (they also check the store every few seconds). */
  events?: EventBus;
  /** Counters of the rate limits (login page, token endpoints…): in Redis in the scale-out mode. */
  rateLimiter: RateLimiter;
}): Promise<Oidc> {
  const { settings, directory, log } = options;
  const db = options.store.db as OidcDb;
  await ensureSigningKeys(db);
  const [deployment, cookies] = await Promise.all([deploymentId(db), cookieKeys(db)]);
  const issuer = settings.idp.url.replace(/\/$/, '');
  const prefix = new URL(issuer).pathname.replace(/\/$/, '');
  const clientSecretKey = loadClientSecretKey(settings);
  // Clients registered before secrets were sealed (or written straight into the table).
  const sealed = await sealClearClientSecrets(db, clientSecretKey);
  if (sealed > 0) log.info({ clients: sealed }, 'client secrets sealed');
  // As many opened secrets remembered as parsed clients: a client found in one cache is in both.
  const openSecret = rememberingSecretOpener(clientSecretKey, settings.oidc.clientCacheSize);
  const adapter = options.redis
    ? splitAdapterFactory(kyselyAdapterFactory(db, openSecret), options.redis)
    : kyselyAdapterFactory(db, openSecret);
  const redis = options.redis;
  const sessionIdsOf = redis
    ? (accountId: string) => redisSessionIdsOf(redis, accountId)
    : (accountId: string) => storeSessionIdsOf(db, accountId);
  const build = (jwks: { keys: object[] }) => {
    const provider = new Provider(
      issuer,
      providerConfiguration({
        settings,
        directory,
        deploymentId: deployment,
        cookieKeys: cookies,
        jwks,
        adapter,
        prefix,
        ecps: options.ecps,
      }),
    );
    answerFailures(provider, log);
    enlargeClientCache(provider, settings.oidc.clientCacheSize, log);
    provider.use(oauthRateLimits({ limiter: options.rateLimiter, settings, log }));
    // The handler's arguments are (ctx, error, client, accountId, sid).
    provider.on('backchannel.error', (_ctx, error, client) =>
      log.warn({ err: error, clientId: client?.clientId }, 'back-channel logout failed'),
    );
    return provider;
  };
  const graceSeconds = Math.max(settings.oidc.idTokenTtl, settings.oidc.accessTokenTtl) + 60;
  const holder = new ProviderHolder({ build, db, graceSeconds });
  await holder.refresh(true);
  options.events?.subscribe(KEYS_ROTATED, () => {
    holder.refresh(true).catch((error) => log.warn({ err: error }, 'provider keys could not be reloaded'));
  });
  // Expired sessions, codes and tokens are ignored when read; this removes them for good.
  const purge = setInterval(() => {
    purgeExpired(db, new Date()).catch((error) =>
      log.warn({ err: error }, 'purge of expired provider data failed'),
    );
  }, 10 * 60_000);
  purge.unref();
  // CIBA: when the professional answers on the phone, the waiting client gets its result.
  options.ecps?.onAnswer(async (request) => {
    if (!request.origin.startsWith('ciba:')) return;
    const provider = holder.current();
    const jti = request.origin.slice('ciba:'.length);
    try {
      if (request.status !== 'approved') {
        await provider.backchannelResult(jti, new errors.AccessDenied('refusée dans l’application e-CPS'));
        return;
      }
      const ciba = await provider.BackchannelAuthenticationRequest.find(jti, { ignoreExpiration: true });
      if (!ciba?.accountId || !ciba.clientId) return;
      const grant = new provider.Grant({ clientId: ciba.clientId, accountId: ciba.accountId });
      if (ciba.scope) grant.addOIDCScope(ciba.scope);
      await grant.save();
      await provider.backchannelResult(ciba, grant, {
        acr: settings.oidc.acrEcps,
        amr: ['mfa', 'hwk', 'pin'],
        authTime: Math.floor(Date.parse(request.answered_at ?? '') / 1000),
      });
    } catch (error) {
      log.warn({ err: error, jti }, 'CIBA result could not be delivered');
    }
  });
  const interactions = interactionRoutes({
    provider: () => holder.current(),
    settings,
    directory,
    cards: options.cards,
    audit: options.audit,
    deploymentId: deployment,
    ecps: options.ecps,
    rateLimiter: options.rateLimiter,
  });
  return {
    holder,
    deploymentId: deployment,
    prefix,
    interactions,
    listener: (app) => providerOriginListener({ app, holder, prefix }),
    async endSessionsOf(idnat, context = {}) {
      const ended = await endSessionsOfAccount({
        provider: holder.current(),
        sessionIdsOf,
        grantIdsOf: (accountId) => storeGrantIdsOf(db, accountId),
        accountId: pscSubject(deployment, idnat),
        log,
      });
      await options.audit.record({
        type: 'oidc.logout_all',
        outcome: 'success',
        actor: context.actor ?? idnat,
        subject: context.actor ? idnat : null,
        ip: context.ip ?? null,
        method: context.method ?? null,
        details: {
          sessions: ended.sessions,
          grants: ended.grants,
          notified: ended.notified,
          notificationFailures: ended.notificationFailures,
        },
      });
      return ended.sessions;
    },
  };
}
