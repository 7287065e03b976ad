import { randomUUID } from 'node:crypto';
import { type CaduceeError, isCaduceeError } from './caducee-error.ts';
import { BadRequest, InternalError, StoreUnavailable } from './catalogue.ts';
import { describeStoreFailure } from './store-failure.ts';

/**
 * Turns anything thrown into a CaduceeError. A database that does not answer becomes
 * STORE_UNAVAILABLE; other unknown errors become INTERNAL_ERROR with a reference so the operator
 * can find the stack trace in the logs while the user never sees it.
 */
export function asCaduceeError(error: unknown): { error: CaduceeError; reference?: string } {
  if (isCaduceeError(error)) return { error };
  // A database that is down is no bug of ours: the client may retry, the operator is paged by
  // /health/ready.
  const storeFailure = describeStoreFailure(error);
  if (storeFailure) return { error: StoreUnavailable(storeFailure, error) };
  // PostgreSQL refuses a NUL character in text where SQLite stores it: sent by the client, it is
  // the request's fault (whatever field carried it), not a bug to page anyone for.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '22021' || code === '22P05')
    return {
      error: BadRequest({ reason: 'un texte contient un caractère non admis (caractère nul)' }, error),
    };
  const reference = randomUUID().slice(0, 8);
  return { error: InternalError({ reference }, error), reference };
}

export interface ErrorBody {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

export function errorToJson(error: CaduceeError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.hint) body.error.hint = error.hint;
  if (Object.keys(error.details).length > 0) body.error.details = { ...error.details };
  return body;
}

/** One line (or a few) for a terminal: message, then what to do. */
export function errorToText(error: CaduceeError): string {
  const lines = [`Erreur ${error.code} : ${error.message}`];
  if (error.hint) lines.push(`→ ${error.hint}`);
  return lines.join('\n');
}
