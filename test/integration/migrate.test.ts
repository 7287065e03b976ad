import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { isCaduceeError } from '../../src/platform/errors/index.ts';
import { type Migrations, migrate, openPostgresStore } from '../../src/platform/store/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const table = (name: string) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
  },
});
const tablesOf = async (db: Kysely<any>, names: string[]) => {
  const found: string[] = [];
  for (const name of names) {
    try {
      await db.selectFrom(name).select('id').execute();
      found.push(name);
    } catch {}
  }
  return found;
};

/** The migration runner every store goes through at start (src/platform/store/migrate.ts). */
for (const storeCase of storeCases()) {
  describe(`migrations (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    before(async () => {
      opened = await storeCase.open({ migrations: () => [] });
    });
    after(() => opened.dispose());

    it('applies the pending ones in name order, once', async () => {
      const order: string[] = [];
      const tracked = (name: string): Migrations[string] => ({
        async up(db) {
          order.push(name);
          await table(name).up(db);
        },
      });
      const first = await migrate(opened.store, { m_02_b: tracked('m_02_b') }, { m_01_a: tracked('m_01_a') });
      assert.deepEqual(first.applied, ['m_01_a', 'm_02_b']);
      assert.deepEqual(order, ['m_01_a', 'm_02_b']);
      const again = await migrate(opened.store, { m_01_a: tracked('m_01_a'), m_02_b: tracked('m_02_b') });
      assert.deepEqual(again.applied, []);
      assert.deepEqual(order, ['m_01_a', 'm_02_b']);
    });

    it('applies nothing of a batch when one migration fails', async () => {
      await assert.rejects(
        migrate(
          opened.store,
          { m_01_a: table('m_01_a'), m_02_b: table('m_02_b') },
          { m_03_c: table('m_03_c') },
          { m_04_d: { up: async () => Promise.reject(new Error('broken migration')) } },
        ),
        /broken migration/,
      );
      assert.deepEqual(await tablesOf(opened.store.db, ['m_01_a', 'm_02_b', 'm_03_c']), ['m_01_a', 'm_02_b']);
      const fixed = await migrate(opened.store, {
        m_01_a: table('m_01_a'),
        m_02_b: table('m_02_b'),
        m_03_c: table('m_03_c'),
      });
      assert.deepEqual(fixed.applied, ['m_03_c']);
    });

    it('refuses a database migrated by a newer version, naming what it does not know', async () => {
      await assert.rejects(migrate(opened.store, { m_01_a: table('m_01_a') }), (error) => {
        assert.ok(isCaduceeError(error));
        assert.equal(error.code, 'STORE_SCHEMA_NEWER');
        assert.match(error.message, /m_02_b, m_03_c/);
        return true;
      });
    });
  });
}

const url = process.env.CADUCEE_TEST_DATABASE_URL;
describe('migrations on a shared PostgreSQL server', {
  skip: !url && 'CADUCEE_TEST_DATABASE_URL not set',
}, () => {
  const schemas = Array.from({ length: 2 }, () => `caducee_test_${randomBytes(6).toString('hex')}`);
  const admin = () => new pg.Client({ connectionString: url });
  after(async () => {
    const client = admin();
    await client.connect();
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it('two nodes starting together apply each migration once', async () => {
    const stores = [0, 1].map(() => openPostgresStore(url!, { schema: schemas[0]! }));
    try {
      const slow: Migrations = {
        m_01_a: {
          async up(db) {
            await sql`select pg_sleep(0.2)`.execute(db);
            await table('m_01_a').up(db);
          },
        },
      };
      const outcomes = await Promise.all(stores.map((store) => migrate(store, slow)));
      assert.deepEqual(outcomes.map((o) => o.applied).sort(), [[], ['m_01_a']]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('another schema dropped meanwhile does not disturb a start', async () => {
    const store = openPostgresStore(url!, { schema: schemas[1]! });
    const client = admin();
    await client.connect();
    try {
      const churn = (async () => {
        for (let i = 0; i < 40; i++) {
          const other = `caducee_test_churn_${randomBytes(4).toString('hex')}`;
          await client.query(`create schema ${other}; create table ${other}.t (id serial primary key)`);
          await client.query(`drop schema ${other} cascade`);
        }
      })();
      for (let i = 0; i < 40; i++) await migrate(store, { m_01_a: table('m_01_a') });
      await churn;
    } finally {
      await client.end();
      await store.close();
    }
  });
});
