/** Cross-cutting plumbing that knows no domain: settings, errors, stores, logs, HTTP. */

export * from './audit/index.ts';
export * from './cache/index.ts';
export * from './config/index.ts';
export * from './errors/index.ts';
export * from './events/index.ts';
export * from './http/client-address.ts';
export * from './http/index.ts';
export { setRetryAfter } from './http/retry-after.ts';
export * from './log/index.ts';
export * from './rate-limit/index.ts';
export { describeRedis, openRedis, type Redis } from './redis/index.ts';
export * from './schedule/index.ts';
export { loadOrCreateKey } from './secrets/key-file.ts';
export * from './store/index.ts';
