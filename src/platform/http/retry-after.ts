import type { Context } from 'hono';
import type { CaduceeError } from '../errors/index.ts';
import { retryAfterOf } from '../rate-limit/index.ts';

/** A refusal by a rate limit tells clients when to come back (RFC 9110 `Retry-After`). */
export function setRetryAfter(c: Context, error: CaduceeError): void {
  const seconds = error.status === 429 ? retryAfterOf(error.details) : undefined;
  if (seconds !== undefined) c.header('retry-after', String(seconds));
}
