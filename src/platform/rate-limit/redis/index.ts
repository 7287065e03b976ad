import type { Redis } from '../../redis/index.ts';
import type { RateLimiter } from '../rate-limiter.ts';

/** Counters shared by every node: INCR, and the window's expiry set by the first hit. */
export function redisRateLimiter(redis: Redis): RateLimiter {
  return {
    async hit(key, limit, windowSeconds) {
      const name = `caducee:rl:${key}`;
      const result = await redis.multi().incr(name).expire(name, windowSeconds, 'NX').ttl(name).exec();
      const count = Number(result?.[0]?.[1] ?? 0);
      const ttl = Number(result?.[2]?.[1] ?? windowSeconds);
      return { allowed: count <= limit, retryAfterSeconds: ttl > 0 ? ttl : windowSeconds };
    },
    async peek(key, limit) {
      const name = `caducee:rl:${key}`;
      const result = await redis.multi().get(name).ttl(name).exec();
      const count = Number(result?.[0]?.[1] ?? 0);
      const ttl = Number(result?.[1]?.[1] ?? 0);
      return { allowed: count < limit, retryAfterSeconds: Math.max(ttl, 0) };
    },
  };
}
