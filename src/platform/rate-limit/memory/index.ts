import type { RateLimiter } from '../rate-limiter.ts';

/** Counters in this process (the embedded default runs one node). */
export function memoryRateLimiter(clock: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  let sweptAt = 0;
  return {
    async hit(key, limit, windowSeconds) {
      const now = clock();
      // Forget ended windows now and then, so that the map does not grow with every address seen.
      if (now - sweptAt > 60_000) {
        for (const [name, window] of windows) if (window.endsAt <= now) windows.delete(name);
        sweptAt = now;
      }
      let window = windows.get(key);
      if (!window || window.endsAt <= now) {
        window = { count: 0, endsAt: now + windowSeconds * 1000 };
        windows.set(key, window);
      }
      window.count += 1;
      return { allowed: window.count <= limit, retryAfterSeconds: Math.ceil((window.endsAt - now) / 1000) };
    },
    async peek(key, limit) {
      const now = clock();
      const window = windows.get(key);
      if (!window || window.endsAt <= now) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: window.count < limit, retryAfterSeconds: Math.ceil((window.endsAt - now) / 1000) };
    },
  };
}
