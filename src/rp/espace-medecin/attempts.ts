import { randomUUID } from 'node:crypto';
import { atMostEvery } from '../../platform/index.ts';
import { TooManyAttempts } from './errors.ts';
import type { EspaceMedecinDb } from './store/tables.ts';
import { addMinutes, type Clock } from './time.ts';

/** A limit: at most `max` counted events per key within `minutes`. */
export interface Limit {
  name: string;
  max: number;
  minutes: number;
}

/** Wrong passwords per identifier (whether or not it has an account: no enumeration). */
export const PASSWORD_PER_IDENTIFIER: Limit = { name: 'password-id', max: 5, minutes: 15 };
/** Wrong passwords from one address, whatever the identifier (password spraying). */
export const PASSWORD_PER_ADDRESS: Limit = { name: 'password-ip', max: 30, minutes: 15 };
/** E-mails asked (codes, reset links) per identifier and per address: no mail bombing. */
export const MAILS_PER_IDENTIFIER: Limit = { name: 'mail-id', max: 10, minutes: 60 };
export const MAILS_PER_ADDRESS: Limit = { name: 'mail-ip', max: 30, minutes: 60 };

/** Counted attempts, kept in the store so that every node sees the same counts. */
export class Attempts {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;
  readonly #purgeDue = atMostEvery(60_000);

  constructor(db: EspaceMedecinDb, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /**
   * Counts one attempt now, or throws ESPACE_MEDECIN_TOO_MANY_ATTEMPTS when the limit is reached.
   * The attempt is written before the count is read, so requests arriving together each see the
   * others: a burst cannot pass the check all at once before any of it is recorded (a password
   * guessed by a hundred requests in parallel). Returns the attempt, for `release` when it turns
   * out not to count (a right password, a mail refused by another limit).
   */
  async take(limit: Limit, key: string): Promise<string> {
    const now = this.#clock();
    const id = randomUUID();
    const counted = `${limit.name}:${key}`;
    await this.#db.insertInto('attempt').values({ id, key: counted, at: now.toISOString() }).execute();
    const row = await this.#db
      .selectFrom('attempt')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('key', '=', counted)
      .where('at', '>', addMinutes(now, -limit.minutes).toISOString())
      .executeTakeFirst();
    if (Number(row?.count ?? 0) > limit.max) {
      // Refused requests do not count: the limit stays at what it lets through.
      await this.release(id);
      throw TooManyAttempts({ retryAfterMinutes: limit.minutes });
    }
    // Nothing is kept much longer than the longest window; the counts ignore older rows anyway,
    // so once a minute is enough (every password login takes two attempts).
    if (this.#purgeDue(now))
      await this.#db
        .deleteFrom('attempt')
        .where('at', '<', addMinutes(now, -24 * 60).toISOString())
        .execute();
    return id;
  }

  /** An attempt taken that does not count after all. */
  async release(id: string): Promise<void> {
    await this.#db.deleteFrom('attempt').where('id', '=', id).execute();
  }

  /** A success forgets the failures of that key. */
  async clear(limit: Limit, key: string): Promise<void> {
    await this.#db.deleteFrom('attempt').where('key', '=', `${limit.name}:${key}`).execute();
  }
}
