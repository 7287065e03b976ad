/**
 * Counts attempts per key in fixed windows (`login:ip:198.51.100.7`, `ecps-request:899…`). One
 * small port, an adapter per backend: in process for the embedded single node, Redis when several
 * nodes must share the counters.
 */
export interface RateLimiter {
  /**
   * Counts one attempt; `allowed` is false once `limit` attempts were made in the current window
   * of `windowSeconds`. `retryAfterSeconds` says when the window ends.
   */
  hit(
    key: string,
    limit: number,
    windowSeconds: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /**
   * Whether one more attempt would be allowed, without counting one: for limits counted only
   * once the outcome is known (a failed client authentication), checked before the work.
   */
  peek(key: string, limit: number): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

/** One limit to count an attempt against. */
export interface Limit {
  key: string;
  limit: number;
  windowSeconds: number;
}

/** A wait in French, for "Réessayez dans …": seconds under a minute, minutes above. */
export function frenchDelay(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds));
    return `${s} seconde${s > 1 ? 's' : ''}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes > 1 ? 's' : ''}`;
}

/**
 * The wait a rate-limit error asks for, for the `Retry-After` header: its `retryAfterSeconds`
 * detail, or `retryAfterMinutes` for the errors that count in minutes.
 */
export function retryAfterOf(details: Readonly<Record<string, unknown>>): number | undefined {
  if (typeof details.retryAfterSeconds === 'number') return Math.max(1, Math.ceil(details.retryAfterSeconds));
  if (typeof details.retryAfterMinutes === 'number') return Math.max(1, details.retryAfterMinutes * 60);
  return undefined;
}
