import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { allMigrations } from '../../src/cli/system.ts';
import {
  anchorPeriodically,
  auditAnchorError,
  formatAnchor,
  readAnchorsFile,
} from '../../src/platform/audit/index.ts';
import {
  type AuditLog,
  createAuditLog,
  createLogger,
  eventHash,
  migrate,
  openPostgresStore,
  type Store,
} from '../../src/platform/index.ts';
import { rewriteChain, tamper } from '../support/audit.ts';
import { eventually } from '../support/eventually.ts';
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
      const details = { index: 1, note: 'accentué, "guillemets" | barre' };
      assert.deepEqual(events.at(-1)!.details, details);
      // The documented serialisation, computed here rather than by chain.ts: an event hashed
      // without one of its fields or without the format tag would not match.
      const canonical = JSON.stringify([
        'caducee.audit.v1',
        '0'.repeat(64),
        ids[0],
        '2026-11-26T10:00:01.000Z',
        'card.login',
        'success',
        '899760000010',
        'serial-1',
        '198.51.100.7',
        'card',
        JSON.stringify(details),
      ]);
      assert.equal(events.at(-1)!.hash, createHash('sha256').update(canonical, 'utf8').digest('hex'));
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

    it('finds a changed event, whichever stored field changed', async () => {
      const { store, audit, clock } = await fresh();
      const ids = await recordTen(audit, clock);
      const original = (await sql<ChainedRow>`select * from audit_event where seq = 4`.execute(store.db))
        .rows[0]!;
      // Each field the hash must cover, changed alone and put back: the hash was not recomputed.
      const changes: Array<[keyof ChainedRow, string | null]> = [
        ['id', 'forged'],
        ['at', '2026-11-26T09:59:59.000Z'],
        ['type', 'card.login'],
        ['outcome', 'failure'],
        ['actor', '899700000000'],
        ['actor', null],
        ['subject', 'serial-40'],
        ['ip', '203.0.113.9'],
        ['method', 'card'],
        ['details', '{"index":4}'],
        ['prev_hash', '0'.repeat(64)],
      ];
      const literal = (value: string | null) => (value === null ? 'null' : `'${value}'`);
      for (const [column, value] of changes) {
        await tamper(store, [`update audit_event set ${column} = ${literal(value)} where seq = 4`]);
        const result = await audit.verify();
        assert.ok(!result.ok, column);
        const id = column === 'id' ? value : ids[3];
        assert.deepEqual(
          [result.id, result.seq, result.problem, result.verified],
          [id, 4, 'changed', 3],
          column,
        );
        await tamper(store, [
          `update audit_event set ${column} = ${literal(original[column] as string | null)} where seq = 4`,
        ]);
        assert.equal((await audit.verify()).ok, true, column);
      }
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

    it('finds, with an anchor noted before, a chain recomputed from an event on, which the chain alone accepts', async () => {
      const { store, audit, clock } = await fresh();
      await recordTen(audit, clock);
      const atTen = await audit.head();
      assert.equal(atTen.seq, 10);
      const [fourth] = await audit.list({ limit: 7 }).then((events) => events.slice(-1));
      const atFour = { seq: 4, hash: fourth!.hash! };
      assert.deepEqual(await audit.checkAnchors([atFour, atTen]), { ok: true, checked: 2 });

      await rewriteChain(store, 6, '899700000000');
      assert.equal((await audit.verify()).ok, true, 'the recomputed chain holds by itself');
      const rewritten = await audit.checkAnchors([atFour, atTen]);
      assert.ok(!rewritten.ok);
      assert.deepEqual(rewritten.anchor, atTen);
      assert.equal(rewritten.found, (await audit.head()).hash);
      assert.notEqual(rewritten.found, atTen.hash);
      // Events before the rewrite are still those the earlier anchor names.
      assert.deepEqual(await audit.checkAnchors([atFour]), { ok: true, checked: 1 });
      assert.match(auditAnchorError(rewritten).message, /l'événement n° 10 n'a plus l'empreinte notée/);

      // The newest events removed and the head moved back: the chain holds, the anchor is gone.
      const eighth = await store.db
        .selectFrom('audit_event')
        .select(['id', 'hash'])
        .where('seq', '=', 8)
        .executeTakeFirstOrThrow();
      await tamper(store, [
        'delete from audit_event where seq > 8',
        `update audit_chain_head set seq = 8, last_id = '${eighth.id}', last_hash = '${eighth.hash}' where id = 1`,
      ]);
      assert.equal((await audit.verify()).ok, true);
      const gone = await audit.checkAnchors([atTen]);
      assert.deepEqual(gone, { ok: false, anchor: atTen, found: null, events: 8 });
      assert.ok(!gone.ok);
      assert.equal(auditAnchorError(gone).code, 'AUDIT_ANCHOR_MISMATCH');
      assert.match(auditAnchorError(gone).message, /n'en compte plus que 8/);
    });

    it('notes the head in a file while it moves, and the file anchors the chain', async () => {
      const { audit, clock } = await fresh();
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'caducee-anchors-')), 'audit', 'anchors.txt');
      const log = createLogger('silent');
      const empty = anchorPeriodically({ audit, file, log, everyMs: 20 });
      await empty.done;
      empty.stop();
      assert.equal(existsSync(file), false, 'an empty log gives no anchor');
      // Recorded before the timer starts: on PostgreSQL ten appends take longer than 20 ms, and
      // each tick would rightly note the head it saw on the way.
      await recordTen(audit, clock);
      const head = await audit.head();
      const first = anchorPeriodically({ audit, file, log, everyMs: 20 });
      await eventually(
        () => existsSync(file) && readFileSync(file, 'utf8').includes(formatAnchor(head)),
        'the anchor file holds the head',
      );
      // The head did not move: no new line.
      await new Promise((resolve) => setTimeout(resolve, 100));
      first.stop();
      assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 1);
      assert.match(
        readFileSync(file, 'utf8'),
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[^ ]+Z ${formatAnchor(head)}\n$`),
      );
      assert.equal(statSync(file).mode & 0o077, 0, 'readable by its owner only');
      await audit.record({ type: 'card.login', outcome: 'success' });
      const second = anchorPeriodically({ audit, file, log, everyMs: 60_000 });
      await second.done;
      second.stop();
      const anchors = readAnchorsFile(file);
      assert.deepEqual(
        anchors.map((anchor) => anchor.seq),
        [10, 11],
      );
      assert.deepEqual(await audit.checkAnchors(anchors), { ok: true, checked: 2 });
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
