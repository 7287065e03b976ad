export type { EventBus } from './event-bus.ts';
export { memoryEventBus } from './memory/index.ts';
export { redisEventBus } from './redis/index.ts';
