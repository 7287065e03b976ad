import { type Cards, cardsMigrations, createCards } from '../cards/index.ts';
import { createDirectory, type Directory, directoryMigrations } from '../directory/index.ts';
import { createEcps, type Ecps, type EcpsDb, ecpsMigrations, loadPinKey } from '../ecps/index.ts';
import { createMessaging, type Messaging, messagingMigrations } from '../messaging/index.ts';
import { createOidc, type Oidc, oidcErrors, oidcMigrations } from '../oidc/index.ts';
import {
  ensureHierarchy,
  ensureServerCertificate,
  type Hierarchy,
  type TlsCredentials,
} from '../pki/index.ts';
import { type AuditLog, auditMigrations, createAuditLog } from '../platform/audit/index.ts';
import { type LoadedSettings, loadSettings, type Settings } from '../platform/config/index.ts';
import { describeStoreFailure, StoreUnavailable } from '../platform/errors/index.ts';
import {
  createLogger,
  type EventBus,
  memoryEventBus,
  memoryRateLimiter,
  openRedis,
  type RateLimiter,
  type Redis,
  redisEventBus,
  redisRateLimiter,
} from '../platform/index.ts';
import { migrate, openStore, type Store } from '../platform/store/index.ts';
import { portalMigrations } from '../portal/index.ts';

/** The domains wired on one store: what commands and servers work with. */
export interface System {
  settings: Settings;
  store: Store;
  audit: AuditLog;
  directory: Directory;
  /**
   * The PKI and cards; created on first use (the PKI files are made if missing). An opposition
   * made through them ends the holder's provider sessions, in whichever process it runs.
   */
  cards(): Promise<Cards>;
  /**
   * The OpenID provider for what commands do outside a request: ending a professional's sessions
   * after an opposition. (The provider's server wires its own, with the e-CPS.)
   */
  oidc(): Promise<Oidc>;
  /** TLS server certificate of the local hosts (made if missing). */
  tls(): Promise<TlsCredentials>;
  /** E-mail and SMS senders, and the dev outbox. */
  messaging(): Messaging;
  /** The e-CPS service (its PIN key is made if missing). */
  ecps(): Ecps;
  /** Scale-out mode only (`CADUCEE_REDIS_URL`): short-lived provider state, counters, events. */
  redis(): Redis | undefined;
  /** Events between nodes: Redis pub/sub in the scale-out mode, in process otherwise. */
  events(): EventBus;
  /** Attempt counters: shared in Redis in the scale-out mode, in process otherwise. */
  rateLimiter(): RateLimiter;
  /** Throws when a backend the services need is down (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function allMigrations(store: Store) {
  return [
    auditMigrations(),
    directoryMigrations(store.kind),
    cardsMigrations(),
    oidcMigrations(),
    messagingMigrations(),
    ecpsMigrations(),
    portalMigrations(),
  ];
}

export function hostnamesOf(settings: Settings): string[] {
  return [settings.idp.url, settings.cardHost.url].map((url) =>
    new URL(url).hostname.replace(/^\[|\]$/g, ''),
  );
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
  return buildSystem(settings, store);
}

/** Wires the domains on an opened, migrated store. */
export function buildSystem(settings: Settings, store: Store): System {
  const audit = createAuditLog(store.db);
  const directory = createDirectory(store, settings);
  let messaging: Messaging | undefined;
  let ecps: Ecps | undefined;
  let redis: Redis | undefined;
  let events: EventBus | undefined;
  let rateLimiter: RateLimiter | undefined;
  let hierarchy: Promise<Hierarchy> | undefined;
  let cards: Promise<Cards> | undefined;
  let oidc: Promise<Oidc> | undefined;
  let tls: Promise<TlsCredentials> | undefined;
  const loadHierarchy = () => {
    hierarchy ??= ensureHierarchy(settings.dataDir, settings.cardHost.url.replace(/\/$/, '')).then(
      (result) => result.hierarchy,
    );
    return hierarchy;
  };
  return {
    settings,
    store,
    audit,
    directory,
    cards() {
      cards ??= loadHierarchy().then((h) => {
        const created = createCards({ store, directory, settings, hierarchy: h, audit });
        // Opposition of a stolen card: what was obtained with it stops too. Sessions live in the
        // store (embedded) or in Redis (scale-out), both reached from here: no running server is
        // needed, the CLI process ends them itself.
        created.onRevoked(async (revoked, { actor }) => {
          for (const idnat of new Set(revoked.map((card) => card.idnat))) {
            try {
              await (await this.oidc()).endSessionsOf(idnat, { method: 'card.revoke', actor });
            } catch (error) {
              // Said to the operator who ran the command: the cause as it is.
              const reason = error instanceof Error ? error.message : String(error);
              throw oidcErrors.SessionsNotEnded({ idnat, reason }, error);
            }
          }
        });
        return created;
      });
      return cards;
    },
    oidc() {
      oidc ??= this.cards().then((loaded) =>
        createOidc({
          store,
          directory,
          cards: loaded,
          settings,
          audit,
          log: createLogger(settings.logLevel),
          redis: this.redis(),
          events: this.events(),
          rateLimiter: this.rateLimiter(),
        }),
      );
      // A provider that could not be built (database down) is built again on the next call.
      oidc.catch(() => {
        oidc = undefined;
      });
      return oidc;
    },
    tls() {
      tls ??= loadHierarchy().then((h) => ensureServerCertificate(h, hostnamesOf(settings)));
      return tls;
    },
    messaging() {
      // Its logger reports the e-mails that could not be sent, which the user may not be told of.
      messaging ??= createMessaging({ settings, store, log: createLogger(settings.logLevel) });
      return messaging;
    },
    ecps() {
      ecps ??= createEcps({
        db: store.db as EcpsDb,
        directory,
        messaging: this.messaging(),
        settings,
        audit,
        pinKey: loadPinKey(settings),
        rateLimiter: this.rateLimiter(),
      });
      return ecps;
    },
    redis() {
      if (!settings.redisUrl) return undefined;
      redis ??= openRedis(settings.redisUrl);
      return redis;
    },
    events() {
      events ??= settings.redisUrl ? redisEventBus(settings.redisUrl) : memoryEventBus();
      return events;
    },
    rateLimiter() {
      const shared = this.redis();
      rateLimiter ??= shared ? redisRateLimiter(shared) : memoryRateLimiter();
      return rateLimiter;
    },
    async ping() {
      await store.ping();
      const shared = this.redis();
      if (shared) {
        try {
          await shared.ping();
        } catch (error) {
          // The kind of failure only: the driver's message may carry Redis's address.
          throw StoreUnavailable(
            describeStoreFailure(error) ?? { store: 'Redis', reason: 'ne répond pas' },
            error,
          );
        }
      }
    },
    async close() {
      messaging?.mail.close?.();
      await events?.close();
      redis?.disconnect();
      await store.close();
    },
  };
}
