import type { EspaceMedecinDb } from './store/tables.ts';
import type { Clock } from './time.ts';

const pair = (a: string, b: string) =>
  a < b ? { account_a: a, account_b: b } : { account_a: b, account_b: a };

/**
 * Linked accounts: two accounts of the same person (mixed practice, an RPPS-based and an older
 * ADELI-based identifier…). Once linked, the person switches between them without logging in
 * again. A link is stored once, whichever side asked.
 */
export class AccountLinks {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;

  constructor(db: EspaceMedecinDb, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async linked(accountId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('account_link')
      .selectAll()
      .where((eb) => eb.or([eb('account_a', '=', accountId), eb('account_b', '=', accountId)]))
      .orderBy('created_at')
      .execute();
    return rows.map((row) => (row.account_a === accountId ? row.account_b : row.account_a));
  }

  async areLinked(a: string, b: string): Promise<boolean> {
    const { account_a, account_b } = pair(a, b);
    return Boolean(
      await this.#db
        .selectFrom('account_link')
        .select('created_at')
        .where('account_a', '=', account_a)
        .where('account_b', '=', account_b)
        .executeTakeFirst(),
    );
  }

  async link(a: string, b: string): Promise<void> {
    if (await this.areLinked(a, b)) return;
    await this.#db
      .insertInto('account_link')
      .values({ ...pair(a, b), created_at: this.#clock().toISOString() })
      .execute();
  }

  async unlink(a: string, b: string): Promise<boolean> {
    const { account_a, account_b } = pair(a, b);
    const result = await this.#db
      .deleteFrom('account_link')
      .where('account_a', '=', account_a)
      .where('account_b', '=', account_b)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
