export { memoryRateLimiter } from './memory/index.ts';
export type { RateLimiter } from './rate-limiter.ts';
export { redisRateLimiter } from './redis/index.ts';
