import { sql } from 'kysely';
import type { Store } from '../../src/platform/index.ts';

/**
 * Writes to the audit log as an intruder with database access would: around the append-only
 * triggers (disabled for the statements on PostgreSQL, dropped on SQLite).
 */
export async function tamper(store: Store, statements: string[]): Promise<void> {
  if (store.kind === 'postgres') {
    await store.db.connection().execute(async (connection) => {
      await sql`alter table audit_event disable trigger user`.execute(connection);
      for (const statement of statements) await sql.raw(statement).execute(connection);
      await sql`alter table audit_event enable trigger user`.execute(connection);
    });
    return;
  }
  await sql`drop trigger if exists audit_event_no_update`.execute(store.db);
  await sql`drop trigger if exists audit_event_no_delete`.execute(store.db);
  for (const statement of statements) await sql.raw(statement).execute(store.db);
}
