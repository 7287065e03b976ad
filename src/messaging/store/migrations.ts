import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/store/index.ts';

export function messagingMigrations(): Migrations {
  return {
    '2026-11-25-05-messaging': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('messaging_outbox')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('to', 'text', (c) => c.notNull())
          .addColumn('subject', 'text')
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('html', 'text')
          .addColumn('attachments', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('messaging_outbox_at').on('messaging_outbox').columns(['at']).execute();
      },
    },
  };
}
