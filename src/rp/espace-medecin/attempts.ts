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

  /** ESPACE_MEDECIN_TOO_MANY_ATTEMPTS when the limit is already reached. */
  async check(limit: Limit, key: string): Promise<void> {
    const since = addMinutes(this.#clock(), -limit.minutes).toISOString();
    const row = await this.#db
      .selectFrom('attempt')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('key', '=', `${limit.name}:${key}`)
      .where('at', '>', since)
      .executeTakeFirst();
    if (Number(row?.count ?? 0) >= limit.max) throw TooManyAttempts({ retryAfterMinutes: limit.minutes });
  }

  async record(limit: Limit, key: string): Promise<void> {
    const now = this.#clock();
    await this.#db
      .insertInto('attempt')
      .values({ id: randomUUID(), key: `${limit.name}:${key}`, at: now.toISOString() })
      .execute();
    // Nothing is kept much longer than the longest window; the counts ignore older rows anyway,
    // so once a minute is enough (every password login records two attempts).
    if (this.#purgeDue(now))
      await this.#db
        .deleteFrom('attempt')
        .where('at', '<', addMinutes(now, -24 * 60).toISOString())
        .execute();
  }

  /** A success forgets the failures of that key. */
  async clear(limit: Limit, key: string): Promise<void> {
    await this.#db.deleteFrom('attempt').where('key', '=', `${limit.name}:${key}`).execute();
  }
}
