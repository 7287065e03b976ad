import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Migrations } from '../store/index.ts';

/**
 * Who did what, when, how and from where: every authentication (success or failure), card
 * issuance and revocation, admin action. Append-only; the hash chain that makes tampering
 * visible comes with the hardening work.
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

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  list(filter?: { type?: string; limit?: number }): Promise<Array<AuditEvent & { id: string; at: string }>>;
}

interface AuditTable {
  audit_event: {
    id: string;
    at: string;
    type: string;
    outcome: string;
    actor: string | null;
    subject: string | null;
    ip: string | null;
    method: string | null;
    details: string;
  };
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
  };
}

export function createAuditLog(database: Kysely<any>, clock: () => Date = () => new Date()): AuditLog {
  const db = database as Kysely<AuditTable>;
  return {
    async record(event) {
      await db
        .insertInto('audit_event')
        .values({
          id: randomUUID(),
          at: clock().toISOString(),
          type: event.type,
          outcome: event.outcome,
          actor: event.actor ?? null,
          subject: event.subject ?? null,
          ip: event.ip ?? null,
          method: event.method ?? null,
          details: JSON.stringify(event.details ?? {}),
        })
        .execute();
    },
    async list(filter = {}) {
      let query = db
        .selectFrom('audit_event')
        .selectAll()
        .orderBy('at', 'desc')
        .limit(filter.limit ?? 100);
      if (filter.type) query = query.where('type', '=', filter.type);
      const rows = await query.execute();
      return rows.map((row) => ({
        ...row,
        outcome: row.outcome as 'success' | 'failure',
        details: JSON.parse(row.details),
      }));
    },
  };
}
