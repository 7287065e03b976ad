import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { allMigrations } from '../../src/cli/system.ts';
import {
  type AuditLog,
  createAuditLog,
  eventHash,
  migrate,
  openPostgresStore,
  type Store,
} from '../../src/platform/index.ts';
import { tamper } from '../support/audit.ts';
import { migrated, type OpenedStore, storeCases } from '../support/stores.ts';

const CHAIN_MIGRATION = '2026-11-26-20-audit-chain';

type ChainedRow = Parameters<typeof eventHash>[1] & { prev_hash: string };

/** Ten events, as the system records them; their ids in order. */
async function recordTen(audit: AuditLog, clock: { now: Date }): Promise<string[]> {
  for (let index = 1; index <= 10; index++) {
    clock.now = new Date(clock.now.getTime() + 1000);
    await audit.record({
      type: index % 2 ? 'card.login' : 'ecps.approve',
      outcome: index === 3 ? 'failure' : 'success',
      actor: '899760000010',
      subject: `serial-${index}`,
      ip: '198.51.100.7',
      method: index % 2 ? 'card' : 'ecps',
      details: { index, note: 'accentué, "guillemets" | barre' },
    });
  }
  const events = await audit.list({ limit: 10 });
  return events.map((event) => event.id).reverse();
}

/**
 * The audit log's hash chain on both stores: it verifies after normal use and after concurrent
 * appends, and each kind of tampering (a changed row, a removed row, two rows swapped, the
 * newest row removed) is found at the right event. The database refuses UPDATE and DELETE.
 */
for (const storeCase of storeCases()) {
  describe(`audit log hash chain (${storeCase.kind})`, () => {
    const opened: OpenedStore[] = [];
    const fresh = async () => {
      const store = await storeCase.open();
      opened.push(store);
      const clock = { now: new Date('2026-11-26T10:00:00Z') };
      const audit = createAuditLog(store.store.db, () => clock.now);
      return { store: store.store, audit, clock, env: store.env };
    };
    after(async () => {
      for (const store of opened) await store.dispose();
    });

    it('chains every event and verifies; list is newest first and filters by type', async () => {
      const { audit, clock } = await fresh();
      assert.deepEqual(await audit.verify(), { ok: true, events: 0, lastHash: '0'.repeat(64) });
      const ids = await recordTen(audit, clock);
      const result = await audit.verify();
      assert.ok(result.ok);
      assert.equal(result.events, 10);
      const events = await audit.list();
      assert.deepEqual(
        events.map((event) => event.seq),
        [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
      );
      assert.equal(events[0]!.hash, result.lastHash);
      assert.deepEqual(events.at(-1)!.details, { index: 1, note: 'accentué, "guillemets" | barre' });
      const approvals = await audit.list({ type: 'ecps.approve', limit: 2 });
      assert.deepEqual(
        approvals.map((event) => event.id),
        [ids[9], ids[7]],
      );
    });

    it('keeps text the database would alter (NUL, lone surrogate) verifiable', async () => {
      const { audit } = await fresh();
      await audit.record({ type: 'ecps.login', outcome: 'failure', actor: '8\u0000\ud800', ip: '::1' });
      assert.equal((await audit.verify()).ok, true);
    });

    it('refuses UPDATE and DELETE of an event in the database itself', async () => {
      const { store, audit, clock } = await fresh();
      await recordTen(audit, clock);
      await assert.rejects(sql`update audit_event set outcome = 'success'`.execute(store.db), /ajout seul/);
      await assert.rejects(sql`delete from audit_event`.execute(store.db), /ajout seul/);
      if (store.kind === 'postgres')
        await assert.rejects(sql`truncate audit_event`.execute(store.db), /ajout seul/);
      assert.equal((await audit.verify()).ok, true);
    });

    it('finds a changed event', async () => {
      const { store, audit, clock } = await fresh();
      const ids = await recordTen(audit, clock);
      await tamper(store, [`update audit_event set details = '{"index":4}' where id = '${ids[3]}'`]);
      const result = await audit.verify();
      assert.ok(!result.ok);
      assert.deepEqual([result.id, result.seq, result.problem, result.verified], [ids[3], 4, 'changed', 3]);
    });

    it('finds a changed event whose hash was recomputed too, at the next one', async () => {
      const { store, audit, clock } = await fresh();
      const ids = await recordTen(audit, clock);
      const [third] = (await audit.list({ limit: 8 })).slice(-1);
      assert.equal(third?.seq, 3);
      const stored = (await sql<ChainedRow>`select * from audit_event where seq = 3`.execute(store.db))
        .rows[0]!;
      const forged = { ...stored, outcome: 'success' };
      await tamper(store, [
        `update audit_event set outcome = 'success', hash = '${eventHash(stored.prev_hash, forged)}' where seq = 3`,
      ]);
      const result = await audit.verify();
      assert.ok(!result.ok);
      assert.deepEqual([result.id, result.seq, result.problem], [ids[3], 4, 'removed']);
      assert.match(result.reason, /supprimé ou remplacé/);
    });

    it('finds a removed event, at the one that followed it', async () => {
      const { store, audit, clock } = await fresh();
      const ids = await recordTen(audit, clock);
      await tamper(store, [`delete from audit_event where id = '${ids[4]}'`]);
      const result = await audit.verify();
      assert.ok(!result.ok);
      assert.deepEqual([result.id, result.seq, result.problem], [ids[5], 6, 'removed']);
      assert.match(result.reason, new RegExp(`après l'événement ${ids[3]}`));
    });

    it('finds two swapped events', async () => {
      const { store, audit, clock } = await fresh();
      const ids = await recordTen(audit, clock);
      await tamper(store, [
        'update audit_event set seq = -1 where seq = 6',
        'update audit_event set seq = 6 where seq = 7',
        'update audit_event set seq = 7 where seq = -1',
      ]);
      const result = await audit.verify();
      assert.ok(!result.ok);
      // The seventh event now stands sixth: its link names the sixth, found further on.
      assert.deepEqual([result.id, result.seq, result.problem], [ids[6], 6, 'reordered']);
      assert.match(result.reason, new RegExp(`suivait l'événement ${ids[5]}`));
    });

    it('finds the newest event removed, and an event inserted outside the chain', async () => {
      const { store, audit, clock } = await fresh();
      const ids = await recordTen(audit, clock);
      await tamper(store, [`delete from audit_event where id = '${ids[9]}'`]);
      const removed = await audit.verify();
      assert.ok(!removed.ok);
      assert.deepEqual([removed.id, removed.seq, removed.problem], [ids[9], 10, 'removed']);

      const other = await fresh();
      await recordTen(other.audit, other.clock);
      await sql`insert into audit_event (id, at, type, outcome, details) values ('forged', '2026-11-26T09:00:00.000Z', 'card.login', 'success', '{}')`.execute(
        other.store.db,
      );
      const inserted = await other.audit.verify();
      assert.ok(!inserted.ok);
      assert.deepEqual([inserted.id, inserted.problem], ['forged', 'inserted']);
    });

    it('stays a single chain under 50 concurrent appends', async () => {
      const { store, audit } = await fresh();
      const appends = Array.from({ length: 50 }, (_, index) =>
        audit.record({ type: 'test.concurrent', outcome: 'success', details: { index } }),
      );
      // A second node on the same database appends at the same time (PostgreSQL only: on SQLite
      // the one connection of a process is what serialises appends).
      let second: Store | undefined;
      if (store.kind === 'postgres') {
        const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]!.s;
        second = openPostgresStore(process.env.CADUCEE_TEST_DATABASE_URL!, { schema });
        const otherNode = createAuditLog(second.db);
        appends.push(
          ...Array.from({ length: 50 }, (_, index) =>
            otherNode.record({ type: 'test.concurrent', outcome: 'success', details: { node: 2, index } }),
          ),
        );
      }
      const outcomes = await Promise.allSettled(appends);
      await second?.close();
      assert.deepEqual(
        outcomes.filter((outcome) => outcome.status === 'rejected'),
        [],
      );
      const result = await audit.verify();
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.events, appends.length);
    });
  });

  describe(`audit log hash chain: the migration (${storeCase.kind})`, () => {
    let opened: OpenedStore | undefined;
    after(() => opened?.dispose());

    it('chains the events recorded before it, oldest first', async () => {
      opened = await storeCase.open({
        migrations: (store) =>
          allMigrations(store).map((set) =>
            Object.fromEntries(Object.entries(set).filter(([name]) => name < CHAIN_MIGRATION)),
          ),
      });
      const db = opened.store.db;
      const row = (id: string, at: string) => ({
        id,
        at,
        type: 'card.login',
        outcome: 'success',
        actor: '899760000010',
        subject: null,
        ip: '127.0.0.1',
        method: 'card',
        details: '{}',
      });
      await db
        .insertInto('audit_event')
        .values([
          row('c', '2026-11-25T10:00:02.000Z'),
          row('a', '2026-11-25T10:00:01.000Z'),
          row('b', '2026-11-25T10:00:01.000Z'),
        ])
        .execute();
      await migrate(opened.store, ...allMigrations(opened.store));
      const audit = createAuditLog(db);
      await audit.record({ type: 'card.login', outcome: 'success' });
      const result = await audit.verify();
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.events, 4);
      assert.deepEqual((await audit.list()).map((event) => [event.id, event.seq]).slice(1), [
        ['c', 3],
        ['b', 2],
        ['a', 1],
      ]);
      // Migrating again is a no-op.
      await migrated(opened.store);
    });
  });
}
