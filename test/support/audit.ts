import { type Kysely, sql } from 'kysely';
import { eventHash, GENESIS_HASH, type Store } from '../../src/platform/index.ts';

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

/**
 * What the chain alone cannot find: an intruder changes the actor of the event at `seq` and
 * recomputes the hash of every event from it on, and the chain's head, so that the chain holds.
 */
export async function rewriteChain(store: Store, seq: number, actor: string): Promise<void> {
  const db = store.db as Kysely<any>;
  const previous = await db
    .selectFrom('audit_event')
    .select('hash')
    .where('seq', '=', seq - 1)
    .executeTakeFirst();
  const rows = await db
    .selectFrom('audit_event')
    .selectAll()
    .where('seq', '>=', seq)
    .orderBy('seq')
    .execute();
  let prevHash: string = previous?.hash ?? GENESIS_HASH;
  const statements: string[] = [];
  for (const row of rows) {
    const fields = (Number(row.seq) === seq ? { ...row, actor } : row) as Parameters<typeof eventHash>[1];
    const hash = eventHash(prevHash, fields);
    statements.push(
      `update audit_event set actor = ${fields.actor === null ? 'null' : `'${fields.actor}'`}, prev_hash = '${prevHash}', hash = '${hash}' where id = '${row.id}'`,
    );
    prevHash = hash;
  }
  statements.push(`update audit_chain_head set last_hash = '${prevHash}' where id = 1`);
  await tamper(store, statements);
}
