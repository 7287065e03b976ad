import { createHash } from 'node:crypto';

/**
 * The hash chain of the audit log. Each event's hash covers the previous event's hash and every
 * stored field of the event, so changing, removing or moving one event breaks the link of the
 * next one (and its own hash when its content changed).
 */

/** `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Tag of the serialisation below: a future change of the fields hashed gets a new tag, and
 * events hashed the old way stay verifiable.
 */
const FORMAT = 'caducee.audit.v1';

/** The stored fields the hash covers, exactly as stored (details is the stored JSON text). */
export interface ChainedFields {
  id: string;
  at: string;
  type: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  ip: string | null;
  method: string | null;
  details: string;
}

/**
 * SHA-256 (hex) over a JSON array of the fields in a fixed order: JSON keeps `null` apart from
 * `""` and escapes separators, so two different events never serialise alike.
 */
export function eventHash(prevHash: string, event: ChainedFields): string {
  const canonical = JSON.stringify([
    FORMAT,
    prevHash,
    event.id,
    event.at,
    event.type,
    event.outcome,
    event.actor,
    event.subject,
    event.ip,
    event.method,
    event.details,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * What the databases store for a string: both encode UTF-8, so a lone surrogate would come back
 * as U+FFFD and PostgreSQL refuses NUL. Hashing the value as it will be read back keeps the
 * chain verifiable whatever a client typed (an identifier field, a header…).
 */
export function storable(value: string): string {
  return value.toWellFormed().replaceAll('\u0000', '\uFFFD');
}
