import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrate, openSqliteStore, type Store } from '../../platform/index.ts';
import { Attempts, MAILS_PER_ADDRESS } from './attempts.ts';
import { espaceMedecinMigrations } from './store/migrations.ts';
import type { EspaceMedecinDb } from './store/tables.ts';
import { addMinutes } from './time.ts';

describe('espace médecin housekeeping', () => {
  let store: Store;
  let db: EspaceMedecinDb;

  before(async () => {
    store = openSqliteStore(':memory:');
    await migrate(store, espaceMedecinMigrations());
    db = store.db as EspaceMedecinDb;
  });
  after(() => store.close());

  it('still forgets attempts older than a day, while the counts of the window stay right', async () => {
    let now = new Date('2026-11-26T10:00:00Z');
    const attempts = new Attempts(db, () => now);
    await attempts.take(MAILS_PER_ADDRESS, '192.0.2.1');
    now = addMinutes(now, 10);
    for (let i = 0; i < MAILS_PER_ADDRESS.max - 1; i++) await attempts.take(MAILS_PER_ADDRESS, '192.0.2.1');
    // Within the window every attempt counts, purge or not; the refused one is not kept.
    await assert.rejects(attempts.take(MAILS_PER_ADDRESS, '192.0.2.1'), {
      code: 'ESPACE_MEDECIN_TOO_MANY_ATTEMPTS',
    });
    now = addMinutes(now, 25 * 60);
    await attempts.take(MAILS_PER_ADDRESS, '192.0.2.2');
    const left = await db.selectFrom('attempt').select('key').execute();
    assert.deepEqual(
      left.map((row) => row.key),
      [`${MAILS_PER_ADDRESS.name}:192.0.2.2`],
    );
  });

  it('finds the rows to purge and the codes to retire by index, not by reading whole tables', async () => {
    const plan = async (query: string) =>
      (await sql.raw<{ detail: string }>(`explain query plan ${query}`).execute(db)).rows
        .map((row) => row.detail)
        .join(' | ');
    assert.match(
      await plan(`delete from attempt where at < '2026-11-25'`),
      /USING (COVERING )?INDEX attempt_at/,
    );
    assert.match(
      await plan(
        `update email_code set tries_left = 0 where account_id = 'a' and purpose = 'login' and used_at is null`,
      ),
      /USING INDEX email_code_account/,
    );
  });
});
