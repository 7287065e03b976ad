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
}
