export { memoryRateLimiter } from './memory/index.ts';
export { frenchDelay, type Limit, type RateLimiter, retryAfterOf } from './rate-limiter.ts';
export { redisRateLimiter } from './redis/index.ts';
