import { randomUUID } from 'node:crypto';
import { type Kysely, SqliteAdapter, sql } from 'kysely';
import { BadRequest } from '../errors/index.ts';
import type { Migrations } from '../store/index.ts';
import { type ChainedFields, eventHash, GENESIS_HASH, storable } from './chain.ts';
import { AuditAnchorMismatch, type AuditBreak, AuditChainBroken } from './errors.ts';

/**
 * Who did what, when, how and from where: every authentication (success or failure), card
 * issuance and revocation, admin action. Append-only, and hash-chained (chain.ts) so that a
 * change made behind the application's back is found by `verify` (`caducee audit verify`).
 */
export interface AuditEvent {
  type: string;
  outcome: 'success' | 'failure';
  /** Who acted: a national identifier, `cli`, an operator name… */
  actor?: string | null;
  /** What it was about (card serial, client id…). */
  subject?: string | null;
  /** Remote address. */
  ip?: string | null;
  /** Means used (`card`, `ecps`, `password`…). */
  method?: string | null;
  details?: Record<string, unknown>;
}

export interface RecordedAuditEvent extends AuditEvent {
  id: string;
  at: string;
  /** Position in the chain, from 1. */
  seq: number | null;
  hash: string | null;
}

export type AuditVerification =
  | { ok: true; events: number; lastHash: string }
  | {
      ok: false;
      /** Events checked and found sound before the break. */
      verified: number;
      id: string;
      seq: number | null;
      problem: AuditBreak;
      reason: string;
    };

/** An event's position in the chain and its hash, noted outside the database (anchor.ts). */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export type AnchorCheck =
  | { ok: true; checked: number }
  /** `found`: the hash the event at that position has now; null when there is no such event. */
  | { ok: false; anchor: AuditAnchor; found: string | null; events: number };

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  /** Newest first; at most `limit` (100 by default, 10 000 at most). */
  list(filter?: { type?: string; limit?: number }): Promise<RecordedAuditEvent[]>;
  /** Walks the whole chain; the first break found is reported. */
  verify(): Promise<AuditVerification>;
  /** The last event's position and hash (0 and the genesis hash for an empty log). */
  head(): Promise<AuditAnchor>;
  /**
   * Each anchor's event must still be there with that hash; the first one that is not is
   * reported. Meaningful after `verify` succeeded: the chain then ties every earlier event to it.
   */
  checkAnchors(anchors: AuditAnchor[]): Promise<AnchorCheck>;
}

interface AuditTable {
  audit_event: ChainedFields & { seq: number | null; prev_hash: string | null; hash: string | null };
  audit_chain_head: { id: number; seq: number; last_id: string | null; last_hash: string };
}

const PAGE = 1000;
const MAX_LIST = 10_000;

function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

export function auditMigrations(): Migrations {
  return {
    '2026-11-25-03-audit': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('audit_event')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('subject', 'text')
          .addColumn('ip', 'text')
          .addColumn('method', 'text')
          .addColumn('details', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_event_at').on('audit_event').columns(['at']).execute();
      },
    },
    '2026-11-26-20-audit-chain': {
      async up(db: Kysely<any>) {
        // SQLite adds one column per statement. The columns stay nullable because SQLite cannot
        // make an existing column NOT NULL; every append fills them, and verify reports a row
        // without them as inserted behind the application's back.
        await db.schema.alterTable('audit_event').addColumn('seq', 'bigint').execute();
        await db.schema.alterTable('audit_event').addColumn('prev_hash', 'text').execute();
        await db.schema.alterTable('audit_event').addColumn('hash', 'text').execute();
        await db.schema
          .createTable('audit_chain_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('last_id', 'text')
          .addColumn('last_hash', 'text', (c) => c.notNull())
          .execute();
        const head = await backfillChain(db as Kysely<AuditTable>);
        await db.schema.createIndex('audit_event_seq').unique().on('audit_event').column('seq').execute();
        await db
          .insertInto('audit_chain_head')
          .values({ id: 1, ...head })
          .execute();
        await refuseChanges(db);
      },
    },
  };
}

/** Chains the events recorded before the chain existed, in the order they were recorded. */
async function backfillChain(db: Kysely<AuditTable>) {
  let seq = 0;
  let lastHash = GENESIS_HASH;
  let lastId: string | null = null;
  let cursor: { at: string; id: string } | undefined;
  for (;;) {
    let query = db.selectFrom('audit_event').selectAll().orderBy('at').orderBy('id').limit(PAGE);
    if (cursor) {
      const { at, id } = cursor;
      query = query.where((eb) => eb.or([eb('at', '>', at), eb.and([eb('at', '=', at), eb('id', '>', id)])]));
    }
    const rows = await query.execute();
    for (const row of rows) {
      seq++;
      const hash = eventHash(lastHash, row);
      await db
        .updateTable('audit_event')
        .set({ seq, prev_hash: lastHash, hash })
        .where('id', '=', row.id)
        .execute();
      lastHash = hash;
      lastId = row.id;
    }
    if (rows.length < PAGE) break;
    cursor = rows.at(-1);
  }
  return { seq, last_id: lastId, last_hash: lastHash };
}

/**
 * The database itself refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) on audit events,
 * so that no code path, mistaken or not, rewrites history; only someone able to drop the
 * trigger can, and verify finds what they did.
 */
async function refuseChanges(db: Kysely<any>) {
  if (isSqlite(db)) {
    for (const operation of ['update', 'delete']) {
      await sql
        .raw(
          `create trigger audit_event_no_${operation} before ${operation} on audit_event ` +
            `begin select raise(abort, 'audit_event : journal en ajout seul, ${operation} refusé'); end`,
        )
        .execute(db);
    }
    return;
  }
  await sql`
    create or replace function audit_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_event : journal en ajout seul, % refusé', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function audit_event_append_only()`.execute(db);
  await sql`
    create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_append_only()`.execute(db);
}

export function createAuditLog(database: Kysely<any>, clock: () => Date = () => new Date()): AuditLog {
  const db = database as Kysely<AuditTable>;
  const sqlite = isSqlite(database);

  /** Links one event to the chain's head and moves the head, as one transaction. */
  const link = async (
    trx: Kysely<AuditTable>,
    fields: ChainedFields,
    head: AuditTable['audit_chain_head'],
  ) => {
    const seq = Number(head.seq) + 1;
    const hash = eventHash(head.last_hash, fields);
    await trx
      .insertInto('audit_event')
      .values({ ...fields, seq, prev_hash: head.last_hash, hash })
      .execute();
    await trx
      .updateTable('audit_chain_head')
      .set({ seq, last_id: fields.id, last_hash: hash })
      .where('id', '=', 1)
      .execute();
  };

  const append = async (fields: ChainedFields) => {
    if (sqlite) {
      // One connection serialises this process; BEGIN IMMEDIATE takes the write lock before
      // reading the head, so a CLI process appending to the same file waits its turn instead
      // of chaining onto a head that is no longer the last.
      await db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          const head = await connection
            .selectFrom('audit_chain_head')
            .selectAll()
            .where('id', '=', 1)
            .executeTakeFirstOrThrow();
          await link(connection, fields, head);
          await sql`commit`.execute(connection);
        } catch (error) {
          await sql`rollback`.execute(connection);
          throw error;
        }
      });
      return;
    }
    // PostgreSQL: the head row, locked until commit, makes concurrent appends (from any node)
    // take turns.
    await db.transaction().execute(async (trx) => {
      const head = await trx
        .selectFrom('audit_chain_head')
        .selectAll()
        .where('id', '=', 1)
        .forUpdate()
        .executeTakeFirstOrThrow();
      await link(trx, fields, head);
    });
  };

  const readHead = async () => {
    const head = await db
      .selectFrom('audit_chain_head')
      .select(['seq', 'last_hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return { seq: Number(head?.seq ?? 0), hash: head?.last_hash ?? GENESIS_HASH };
  };

  const broken = (
    verified: number,
    row: { id: string; seq: number | null },
    problem: AuditBreak,
    reason: string,
  ): AuditVerification => ({ ok: false, verified, id: row.id, seq: row.seq, problem, reason });

  return {
    async record(event) {
      const text = (value: string | null | undefined) => (value == null ? null : storable(value));
      await append({
        id: randomUUID(),
        at: clock().toISOString(),
        type: storable(event.type),
        outcome: event.outcome,
        actor: text(event.actor),
        subject: text(event.subject),
        ip: text(event.ip),
        method: text(event.method),
        // JSON.stringify escapes lone surrogates and NUL: the text is stored as it is.
        details: JSON.stringify(event.details ?? {}),
      });
    },

    async list(filter = {}) {
      const limit = filter.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
        throw BadRequest({ reason: `nombre d'événements entre 1 et ${MAX_LIST} attendu` });
      let query = db.selectFrom('audit_event').selectAll().orderBy('seq', 'desc').limit(limit);
      if (filter.type) query = query.where('type', '=', filter.type);
      const rows = await query.execute();
      return rows.map(({ prev_hash: _prev, ...row }) => ({
        ...row,
        seq: row.seq === null ? null : Number(row.seq),
        outcome: row.outcome as 'success' | 'failure',
        details: JSON.parse(row.details),
      }));
    },

    async verify() {
      // The head is read first: events appended while the walk runs are beyond it and left for
      // the next verification.
      const head = (await db
        .selectFrom('audit_chain_head')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirst()) ?? { id: 1, seq: 0, last_id: null, last_hash: GENESIS_HASH };
      const end = Number(head.seq);
      let verified = 0;
      let previous: { id: string; hash: string } | undefined;
      let cursor = 0;
      for (;;) {
        const rows = await db
          .selectFrom('audit_event')
          .selectAll()
          .where('seq', '>', cursor)
          .where('seq', '<=', end)
          .orderBy('seq')
          .limit(PAGE)
          .execute();
        for (const stored of rows) {
          const row = { ...stored, seq: Number(stored.seq) };
          if (row.hash === null || row.prev_hash === null || row.hash !== eventHash(row.prev_hash, row)) {
            return broken(verified, row, 'changed', 'son contenu ne correspond plus à son empreinte');
          }
          const expected = previous?.hash ?? GENESIS_HASH;
          if (row.prev_hash !== expected) {
            // The event it was chained to: still there elsewhere (moved), or gone.
            const target = await db
              .selectFrom('audit_event')
              .select(['id', 'seq'])
              .where('hash', '=', row.prev_hash)
              .executeTakeFirst();
            if (target) {
              return broken(
                verified,
                row,
                'reordered',
                `il n'est plus à sa place : il suivait l'événement ${target.id} (n° ${Number(target.seq)})`,
              );
            }
            return broken(
              verified,
              row,
              'removed',
              `l'événement qui le précédait a été supprimé ou remplacé${previous ? ` (après l'événement ${previous.id})` : ' (début du journal)'}`,
            );
          }
          previous = { id: row.id, hash: row.hash };
          verified++;
        }
        if (rows.length < PAGE) break;
        cursor = Number(rows.at(-1)!.seq);
      }
      if ((previous?.hash ?? GENESIS_HASH) !== head.last_hash) {
        return broken(
          verified,
          { id: head.last_id ?? '?', seq: end },
          'removed',
          `le dernier événement enregistré (n° ${end}) a disparu ou a été remplacé`,
        );
      }
      // Rows the chain does not account for: without a link, or beyond the head (read again:
      // appends made during the walk are legitimate).
      const headNow = await db
        .selectFrom('audit_chain_head')
        .select('seq')
        .where('id', '=', 1)
        .executeTakeFirst();
      const outside = await db
        .selectFrom('audit_event')
        .select(['id', 'seq'])
        .where((eb) =>
          eb.or([eb('seq', 'is', null), eb('hash', 'is', null), eb('seq', '>', Number(headNow?.seq ?? 0))]),
        )
        .orderBy('at')
        .limit(1)
        .executeTakeFirst();
      if (outside) {
        return broken(
          verified,
          { id: outside.id, seq: outside.seq === null ? null : Number(outside.seq) },
          'inserted',
          headNow
            ? 'il a été ajouté hors de la chaîne'
            : 'la tête de la chaîne (table audit_chain_head) a été supprimée',
        );
      }
      return { ok: true, events: verified, lastHash: head.last_hash };
    },

    head: readHead,

    async checkAnchors(anchors) {
      for (const anchor of anchors) {
        const row = await db
          .selectFrom('audit_event')
          .select('hash')
          .where('seq', '=', anchor.seq)
          .executeTakeFirst();
        if (row?.hash !== anchor.hash) {
          const { seq: events } = await readHead();
          return { ok: false, anchor, found: row?.hash ?? null, events };
        }
      }
      return { ok: true, checked: anchors.length };
    },
  };
}

/** For the CLI: an anchor the log no longer matches, as the catalogued error. */
export function auditAnchorError(result: Extract<AnchorCheck, { ok: false }>) {
  return AuditAnchorMismatch({
    seq: result.anchor.seq,
    expected: result.anchor.hash,
    found: result.found,
    events: result.events,
  });
}

/** For the CLI: a broken chain as the catalogued error. */
export function auditChainError(result: Extract<AuditVerification, { ok: false }>) {
  return AuditChainBroken({
    id: result.id,
    seq: result.seq,
    problem: result.problem,
    reason: result.reason,
    verified: result.verified,
  });
}
