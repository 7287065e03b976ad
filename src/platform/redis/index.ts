import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * A Redis connection for the scale-out mode. A command waits at most 2 s (for the connection to
 * come up, or for the answer): while Redis is down, a login fails with a clear error instead of
 * hanging, `/health/ready` says 503, and the client reconnects by itself when Redis is back.
 */
export function openRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Errors surface on the commands that fail; the connection's own reports would crash the
  // process as unhandled 'error' events.
  redis.on('error', () => undefined);
  return redis;
}

/** A description without credentials, for logs. */
export function describeRedis(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.username = '';
  return parsed.toString();
}
