import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { redisAdapterFactory, redisSessionIdsOf } from '../../src/oidc/adapter/redis-adapter.ts';
import {
  type EventBus,
  memoryEventBus,
  memoryRateLimiter,
  openRedis,
  type RateLimiter,
  redisEventBus,
  redisRateLimiter,
} from '../../src/platform/index.ts';

const redisUrl = process.env.CADUCEE_TEST_REDIS_URL;
if (process.env.CADUCEE_TEST_REQUIRE_PG === '1' && !redisUrl)
  throw new Error('CADUCEE_TEST_REQUIRE_PG=1 but CADUCEE_TEST_REDIS_URL is not set');
const redis = redisUrl ? openRedis(redisUrl) : undefined;
/** Second connections, standing for another node. */
const others: Array<ReturnType<typeof openRedis>> = [];
const otherNode = () => {
  const connection = openRedis(redisUrl!);
  others.push(connection);
  return connection;
};
after(() => {
  redis?.disconnect();
  for (const connection of others) connection.disconnect();
});

/** Each port's adapters, run through the same checks (in process always, Redis when given). */
const limiters: Array<[string, () => RateLimiter[]]> = [
  ['memory', () => [memoryRateLimiter()]],
  ...(redis
    ? [
        ['redis', () => [redisRateLimiter(redis), redisRateLimiter(otherNode())]] as [
          string,
          () => RateLimiter[],
        ],
      ]
    : []),
];

for (const [kind, make] of limiters) {
  describe(`rate limiter (${kind})`, () => {
    it('allows the limit, refuses beyond it within the window, and says when to retry', async () => {
      const [limiter] = make();
      const key = `test:${randomBytes(6).toString('hex')}`;
      for (let i = 0; i < 3; i++) assert.equal((await limiter!.hit(key, 3, 60)).allowed, true);
      const refused = await limiter!.hit(key, 3, 60);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 60);
      assert.equal((await limiter!.hit(`${key}:other`, 3, 60)).allowed, true, 'keys are separate');
    });

    it('peeks at a key without counting: refused once the limit is reached', async () => {
      const [limiter] = make();
      const key = `test:${randomBytes(6).toString('hex')}`;
      assert.deepEqual(await limiter!.peek(key, 2), { allowed: true, retryAfterSeconds: 0 });
      await limiter!.hit(key, 2, 60);
      for (let i = 0; i < 3; i++)
        assert.equal((await limiter!.peek(key, 2)).allowed, true, 'peeking counts nothing');
      await limiter!.hit(key, 2, 60);
      const refused = await limiter!.peek(key, 2);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 60);
    });
  });
}

it('memory rate limiter: a new window starts when the previous one ends', async () => {
  let now = 0;
  const limiter = memoryRateLimiter(() => now);
  assert.equal((await limiter.hit('k', 1, 10)).allowed, true);
  assert.equal((await limiter.hit('k', 1, 10)).allowed, false);
  now = 10_001;
  assert.equal((await limiter.hit('k', 1, 10)).allowed, true);
});

if (redis) {
  it('redis rate limiter: two nodes share the counters', async () => {
    const nodeA = redisRateLimiter(redis);
    const nodeB = redisRateLimiter(otherNode());
    const key = `test:${randomBytes(6).toString('hex')}`;
    assert.equal((await nodeA.hit(key, 2, 60)).allowed, true);
    assert.equal((await nodeB.hit(key, 2, 60)).allowed, true);
    assert.equal((await nodeA.hit(key, 2, 60)).allowed, false);
    assert.ok((await redis.ttl(`caducee:rl:${key}`)) > 0, 'the window expires by itself');
  });
}

const buses: Array<[string, () => [EventBus, EventBus]]> = [
  [
    'memory',
    () => {
      const bus = memoryEventBus();
      return [bus, bus];
    },
  ],
  ...(redisUrl
    ? [
        ['redis', () => [redisEventBus(redisUrl), redisEventBus(redisUrl)]] as [
          string,
          () => [EventBus, EventBus],
        ],
      ]
    : []),
];

for (const [kind, make] of buses) {
  it(`event bus (${kind}): what one node publishes reaches the other's listeners, until they stop`, async (t) => {
    const [publisher, listener] = make();
    // Closed even when an assertion fails: open Redis connections would keep the run alive.
    t.after(async () => {
      await publisher.close();
      if (listener !== publisher) await listener.close();
    });
    const topic = `test.${randomBytes(4).toString('hex')}`;
    const received: unknown[] = [];
    const stop = listener.subscribe(topic, (message) => received.push(message));
    // Redis subscriptions are asynchronous: publish until the first one is heard.
    for (let i = 0; i < 40 && received.length === 0; i++) {
      await publisher.publish(topic, { n: 1 });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(received[0], { n: 1 });
    stop();
    const count = received.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await publisher.publish(topic, { n: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(received.length, count, 'no message after unsubscribing');
    // Unsubscribing twice is harmless: the next listener of the topic still hears it.
    stop();
    const again: unknown[] = [];
    const stopAgain = listener.subscribe(topic, (message) => again.push(message));
    for (let i = 0; i < 40 && again.length === 0; i++) {
      await publisher.publish(topic, { n: 3 });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(again[0], { n: 3 }, 'a listener subscribed after a double unsubscribe hears the topic');
    stopAgain();
  });
}

if (redis) {
  describe('oidc-provider state in Redis', () => {
    const Adapter = redisAdapterFactory(redis);
    const id = () => randomBytes(8).toString('hex');

    it('keeps a payload for its lifetime, finds it by uid, and a consumed code stays recognisable', async () => {
      const sessions = new Adapter('Session');
      const sid = id();
      const uid = id();
      await sessions.upsert(sid, { uid, accountId: `acct-${sid}`, kind: 'Session' }, 60);
      assert.equal((await sessions.find(sid))?.uid, uid);
      assert.equal((await sessions.findByUid(uid))?.accountId, `acct-${sid}`);
      assert.deepEqual(await redisSessionIdsOf(redis, `acct-${sid}`), [sid]);
      const ttl = await redis.ttl(`caducee:oidc:Session:${sid}`);
      assert.ok(ttl > 0 && ttl <= 60);

      const codes = new Adapter('AuthorizationCode');
      const code = id();
      await codes.upsert(code, { grantId: 'g1', kind: 'AuthorizationCode' }, 30);
      await codes.consume(code);
      const consumed = await codes.find(code);
      assert.equal(typeof consumed?.consumed, 'number');
      assert.ok(
        (await redis.ttl(`caducee:oidc:AuthorizationCode:${code}`)) > 0,
        'consuming keeps the expiry',
      );

      await sessions.destroy(sid);
      assert.equal(await sessions.find(sid), undefined);
      assert.deepEqual(await redisSessionIdsOf(redis, `acct-${sid}`), [], 'the index forgets gone sessions');
    });

    it('revokes by grant every short-lived record of the grant', async () => {
      const grantId = `grant-${id()}`;
      const codes = new Adapter('AuthorizationCode');
      const ciba = new Adapter('BackchannelAuthenticationRequest');
      const [a, b] = [id(), id()];
      await codes.upsert(a, { grantId }, 60);
      await ciba.upsert(b, { grantId }, 60);
      await codes.revokeByGrantId(grantId);
      assert.equal(await codes.find(a), undefined);
      assert.equal(await ciba.find(b), undefined);
    });

    it('ignores lookups of what is not a string', async () => {
      const sessions = new Adapter('Session');
      assert.equal(await sessions.find(undefined as never), undefined);
      assert.equal(await sessions.findByUid(42 as never), undefined);
    });
  });
}
