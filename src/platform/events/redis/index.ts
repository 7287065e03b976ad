import { EventEmitter } from 'node:events';
import { openRedis } from '../../redis/index.ts';
import type { EventBus } from '../event-bus.ts';

const PREFIX = 'caducee:';

/**
 * Redis pub/sub: a subscriber connection per process (a connection in subscribe mode can do
 * nothing else) fans messages out to local listeners.
 */
export function redisEventBus(url: string): EventBus {
  const publisher = openRedis(url);
  const subscriber = openRedis(url);
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const counts = new Map<string, number>();
  subscriber.on('message', (channel: string, text: string) => {
    try {
      local.emit(channel.slice(PREFIX.length), JSON.parse(text) as Record<string, unknown>);
    } catch {
      // Not ours.
    }
  });
  return {
    async publish(topic, message) {
      await publisher.publish(PREFIX + topic, JSON.stringify(message));
    },
    subscribe(topic, listener) {
      local.on(topic, listener);
      const count = (counts.get(topic) ?? 0) + 1;
      counts.set(topic, count);
      if (count === 1) subscriber.subscribe(PREFIX + topic).catch(() => undefined);
      let subscribed = true;
      // Idempotent: a second call must not take another listener's count (which would leave a
      // later subscriber without its Redis subscription). A topic with no listener is forgotten,
      // so that topics named per request would not pile up.
      return () => {
        if (!subscribed) return;
        subscribed = false;
        local.off(topic, listener);
        const left = (counts.get(topic) ?? 1) - 1;
        if (left > 0) {
          counts.set(topic, left);
          return;
        }
        counts.delete(topic);
        subscriber.unsubscribe(PREFIX + topic).catch(() => undefined);
      };
    },
    async close() {
      local.removeAllListeners();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
