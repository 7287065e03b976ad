import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Random identifiers and tokens, and the comparisons that must not leak through timing. */

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Stored instead of a session id or a reset token: the table alone opens nothing. */
export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** A code of `digits` digits, drawn uniformly. */
export const randomDigits = (digits: number) => String(randomInt(0, 10 ** digits)).padStart(digits, '0');

/**
 * A 6-digit code has a million values: a plain hash would be reversed at once from a stolen
 * table, so codes are stored as an HMAC under the application key, kept outside the database.
 */
export const mac = (key: Buffer, ...parts: string[]) =>
  createHmac('sha256', key).update(parts.join('\n')).digest('base64url');

export function sameText(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about either value.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
