import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Directory, Person } from '../directory/index.ts';
import { type AuditLog, type Logger, limitedAddress, type Settings } from '../platform/index.ts';
import { EcpsContactMissing, EcpsTooManyRequests, EcpsUnknownProfessional } from './errors.ts';
import type { EcpsDb } from './store/tables.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: Array<{ filename: string; content: Buffer; cid?: string; contentType?: string }>;
}
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
export interface EcpsMessaging {
  mail: { send(mail: Mail): Promise<void> };
  sms: { send(sms: { to: string; text: string }): Promise<void> };
  /** Wakes the app when a login request arrives; absent when Web Push is off. */
  push?: {
    readonly publicKey: string;
    send(subscription: PushSubscriptionJson, payload: object): Promise<'sent' | 'gone' | 'failed'>;
  };
}

/** What every part of the e-CPS service shares. */
export interface EcpsContext {
  db: EcpsDb;
  directory: Directory;
  messaging: EcpsMessaging;
  settings: Settings;
  audit: AuditLog;
  pinKey: Buffer;
  clock: () => Date;
  /** The PWA's address: activation links point into it. */
  appUrl: string;
  /** For what fails after the answer has left (messages sent in the background). */
  log: Logger;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** A one-time numeric code (activation, recovery); stored only as a hash bound to its scope. */
export function newCode(digits = 6): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}
export function codeHash(scope: string, code: string): string {
  return sha256(`${scope}:${code.trim()}`);
}
export function codeMatches(scope: string, code: string, stored: string | null): boolean {
  if (!stored) return false;
  const expected = Buffer.from(stored);
  const actual = Buffer.from(codeHash(scope, code));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export const MAX_CODE_ATTEMPTS = 3;

/**
 * Takes one of the three tries of an open activation's or recovery's code, in one statement
 * before the code is compared, so that guesses sent at once cannot all be compared. Returns the
 * tries taken so far, this one included; undefined when none was left (or it is no longer open).
 */
export async function takeCodeTry(
  db: EcpsDb,
  table: 'ecps_activation' | 'ecps_recovery',
  id: string,
): Promise<number | undefined> {
  const taken = await db
    .updateTable(table)
    .set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('code_attempts', '<', MAX_CODE_ATTEMPTS)
    .returning('code_attempts')
    .executeTakeFirst();
  return taken ? Number(taken.code_attempts) : undefined;
}

export async function activePerson(ctx: EcpsContext, idnat: string): Promise<Person> {
  const person = await ctx.directory.find(idnat.trim());
  if (!person?.active) throw EcpsUnknownProfessional({ idnat });
  return person;
}

/** The directory's correspondence e-mail and mobile; both are needed without a card. */
export function contactsOf(person: Person) {
  const missing = [
    !person.contact.email && 'adresse e-mail',
    !person.contact.mobile && 'numéro de mobile',
  ].filter(Boolean) as string[];
  if (missing.length) throw EcpsContactMissing({ idnat: person.nationalId, missing });
  return { email: person.contact.email!, mobile: person.contact.mobile! };
}

/**
 * What sends e-mails or SMS (activation, recovery) is limited per identifier and per address, so
 * that nobody can flood a professional's inbox or use the service to spam phones.
 */
export async function checkSendRate(
  ctx: EcpsContext,
  table: 'ecps_activation' | 'ecps_recovery',
  idnat: string,
  ip: string | undefined,
) {
  const since = new Date(ctx.clock().getTime() - 3_600_000).toISOString();
  const count = async (column: 'idnat' | 'request_network', value: string) =>
    Number(
      (
        await ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(column, '=', value)
          .where('created_at', '>', since)
          .executeTakeFirstOrThrow()
      ).n,
    );
  if ((await count('idnat', idnat)) >= ctx.settings.ecps.activationRequestsPerHour)
    throw EcpsTooManyRequests({ retryAfterMinutes: 60 });
  if (
    ip &&
    (await count('request_network', limitedAddress(ip))) >=
      ctx.settings.ecps.activationRequestsPerHourPerAddress
  )
    throw EcpsTooManyRequests({ retryAfterMinutes: 60 });
}
