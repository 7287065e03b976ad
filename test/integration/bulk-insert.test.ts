import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const rows = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => [`k${from + index}`, `valeur ${from + index}`, from + index]);

/**
 * Store.bulkInsert, on each store: rows land in the transaction it is given (a rollback takes
 * them away), every row counts whatever the batch size, and skipped duplicates are not counted.
 */
for (const storeCase of storeCases()) {
  describe(`bulk insert (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    const count = async (db: Kysely<any>) =>
      Number(
        (
          await db
            .selectFrom('bulk_t')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    before(async () => {
      opened = await storeCase.open({ migrations: () => [] });
      await opened.store.db.schema
        .createTable('bulk_t')
        .addColumn('k', 'text', (c) => c.primaryKey())
        .addColumn('v', 'text')
        .addColumn('n', 'integer')
        .execute();
    });
    after(() => opened?.dispose());

    it('inserts in the transaction, all of it or nothing', async () => {
      const { store } = opened;
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          assert.equal(await store.bulkInsert(trx, 'bulk_t', ['k', 'v', 'n']).insert(rows(0, 250)), 250);
          assert.equal(await count(trx), 250);
          throw new Error('rollback');
        }),
        /rollback/,
      );
      assert.equal(await count(store.db), 0, 'rolled back with the transaction');

      await store.db.transaction().execute(async (trx) => {
        const insert = store.bulkInsert(trx, 'bulk_t', ['k', 'v', 'n']);
        assert.equal(await insert.insert(rows(0, 137)), 137);
        assert.equal(await insert.insert([]), 0);
      });
      const last = await store.db.selectFrom('bulk_t').selectAll().where('k', '=', 'k136').executeTakeFirst();
      assert.deepEqual({ ...last }, { k: 'k136', v: 'valeur 136', n: 136 });
    });

    it('skips rows already there when asked, and counts only the inserted ones', async () => {
      const { store } = opened;
      await store.db.transaction().execute(async (trx) => {
        const insert = store.bulkInsert(trx, 'bulk_t', ['k', 'v', 'n'], { ignoreConflicts: true });
        assert.equal(await insert.insert([...rows(100, 100), ...rows(200, 3), ...rows(202, 2)]), 67);
      });
      assert.equal(await count(store.db), 204);
      await assert.rejects(
        store.db
          .transaction()
          .execute((trx) => store.bulkInsert(trx, 'bulk_t', ['k', 'v', 'n']).insert(rows(0, 1))),
      );
    });
  });
}
