import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { Redis } from '../../platform/index.ts';

/**
 * The provider's short-lived state, shared by every node in Redis: what a login is made of while
 * it happens (interactions, sessions, authorization codes, CIBA requests, replay markers). It
 * expires by itself (Redis TTL). Grants and tokens stay in the durable store.
 */
export const REDIS_MODELS = new Set([
  'Session',
  'Interaction',
  'AuthorizationCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'DeviceCode',
]);

const key = (model: string, id: string) => `caducee:oidc:${model}:${id}`;
const grantKey = (grantId: string) => `caducee:oidc:grant:${grantId}`;
const uidKey = (uid: string) => `caducee:oidc:uid:${uid}`;
const userCodeKey = (code: string) => `caducee:oidc:user_code:${code}`;
const accountKey = (accountId: string) => `caducee:oidc:account-sessions:${accountId}`;

export function redisAdapterFactory(redis: Redis): AdapterConstructor {
  return class RedisAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const name = key(this.model, id);
      const ttl = typeof expiresIn === 'number' && expiresIn > 0 ? Math.ceil(expiresIn) : undefined;
      const write = redis.multi();
      if (ttl) write.set(name, JSON.stringify(payload), 'EX', ttl);
      else write.set(name, JSON.stringify(payload));
      // The lookups the provider and "end every session" need, living as long as what they point to.
      const index = (indexKey: string, value: string) => {
        write.set(indexKey, value);
        if (ttl) write.expire(indexKey, ttl);
      };
      if (typeof payload.uid === 'string') index(uidKey(payload.uid), id);
      if (typeof payload.userCode === 'string') index(userCodeKey(payload.userCode), id);
      if (typeof payload.grantId === 'string') {
        write.sadd(grantKey(payload.grantId), name);
        if (ttl) write.expire(grantKey(payload.grantId), ttl, 'GT');
      }
      if (this.model === 'Session' && typeof payload.accountId === 'string') {
        write.sadd(accountKey(payload.accountId), id);
        if (ttl) write.expire(accountKey(payload.accountId), ttl, 'GT');
      }
      await write.exec();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (typeof id !== 'string') return undefined;
      const text = await redis.get(key(this.model, id));
      return text ? (JSON.parse(text) as AdapterPayload) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (typeof uid !== 'string') return undefined;
      const id = await redis.get(uidKey(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (typeof userCode !== 'string') return undefined;
      const id = await redis.get(userCodeKey(userCode));
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      // Marked, not removed: a second use of a code must be recognised as a replay (and revoke).
      const name = key(this.model, id);
      const text = await redis.get(name);
      if (!text) return;
      const payload = JSON.parse(text) as AdapterPayload;
      payload.consumed = Math.floor(Date.now() / 1000);
      await redis.set(name, JSON.stringify(payload), 'KEEPTTL');
    }

    async destroy(id: string): Promise<void> {
      await redis.del(key(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const members = await redis.smembers(grantKey(grantId));
      if (members.length) await redis.del(...members);
      await redis.del(grantKey(grantId));
    }
  };
}

/** Ids of the live sessions of an account (for "end every session of this professional"). */
export async function redisSessionIdsOf(redis: Redis, accountId: string): Promise<string[]> {
  const ids = await redis.smembers(accountKey(accountId));
  if (ids.length === 0) return [];
  const alive = await redis.mget(...ids.map((id) => key('Session', id)));
  const gone = ids.filter((_, index) => alive[index] === null);
  if (gone.length) await redis.srem(accountKey(accountId), ...gone);
  return ids.filter((_, index) => alive[index] !== null);
}

/**
 * Each model to its backend: the short-lived ones to Redis, the rest (grants, tokens, clients) to
 * the durable store, so that `revokeByGrantId` must reach both.
 */
export function splitAdapterFactory(durable: AdapterConstructor, redis: Redis): AdapterConstructor {
  const shortLived = redisAdapterFactory(redis);
  return class SplitAdapter implements Adapter {
    readonly #inner: Adapter;
    readonly #other: Adapter;

    constructor(model: string) {
      const inRedis = REDIS_MODELS.has(model);
      this.#inner = inRedis ? new shortLived(model) : new durable(model);
      this.#other = inRedis ? new durable(model) : new shortLived(model);
    }
    upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      return this.#inner.upsert(id, payload, expiresIn);
    }
    find(id: string) {
      return this.#inner.find(id);
    }
    findByUid(uid: string) {
      return this.#inner.findByUid(uid);
    }
    findByUserCode(userCode: string) {
      return this.#inner.findByUserCode(userCode);
    }
    consume(id: string) {
      return this.#inner.consume(id);
    }
    destroy(id: string) {
      return this.#inner.destroy(id);
    }
    async revokeByGrantId(grantId: string) {
      // The durable adapter already deletes every model's rows of the grant; Redis holds codes.
      await Promise.all([this.#inner.revokeByGrantId(grantId), this.#other.revokeByGrantId(grantId)]);
    }
  };
}
