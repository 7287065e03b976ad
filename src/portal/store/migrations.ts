import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/index.ts';

export function portalMigrations(): Migrations {
  return {
    '2026-11-26-02-portal': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('portal_session')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('csrf', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('portal_session_expires')
          .on('portal_session')
          .column('expires_at')
          .execute();
      },
    },
  };
}
