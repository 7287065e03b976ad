import { type Kysely, sql } from 'kysely';
import type { Migrations, StoreKind } from '../../platform/store/index.ts';

/**
 * Directory schema. Prefix search compares keys by bytes: SQLite's default collation does, and
 * PostgreSQL is told to with COLLATE "C" (its locale collations ignore punctuation and spaces).
 */
export function directoryMigrations(kind: StoreKind): Migrations {
  const byteOrder = kind === 'postgres' ? sql`collate "C"` : sql``;
  return {
    '2026-11-25-01-directory': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('directory_person')
          .addColumn('idnat', 'text', (c) => c.primaryKey())
          .addColumn('id_type', 'text', (c) => c.notNull())
          .addColumn('id_pp', 'text', (c) => c.notNull())
          .addColumn('active', 'integer', (c) => c.notNull())
          .addColumn('family_key', 'text', (c) => c.notNull().modifyFront(byteOrder))
          .addColumn('given_key', 'text', (c) => c.notNull().modifyFront(byteOrder))
          .addColumn('sections', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('mobile', 'text')
          .addColumn('contact_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('inactivated_at', 'text')
          .execute();
        await db.schema
          .createIndex('directory_person_name')
          .on('directory_person')
          .columns(['active', 'family_key', 'given_key', 'idnat'])
          .execute();
        await db.schema
          .createTable('directory_facet')
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull().modifyFront(byteOrder))
          .execute();
        await db.schema
          .createIndex('directory_facet_value')
          .on('directory_facet')
          .columns(['kind', 'value', 'idnat'])
          .execute();
        await db.schema
          .createIndex('directory_facet_person')
          .on('directory_facet')
          .columns(['idnat'])
          .execute();
        await db.schema
          .createTable('directory_contact_change')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('idnat', 'text', (c) => c.notNull())
          .addColumn('email', 'text')
          .addColumn('mobile', 'text')
          .addColumn('requested_at', 'text', (c) => c.notNull())
          .addColumn('effective_at', 'text', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('directory_contact_change_person')
          .on('directory_contact_change')
          .columns(['idnat', 'effective_at'])
          .execute();
        await db.schema
          .createTable('directory_import')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('files', 'text', (c) => c.notNull())
          .addColumn('summary', 'text')
          .execute();
        await db.schema
          .createTable('directory_import_line')
          .addColumn('idnat', 'text', (c) => c.notNull().modifyFront(byteOrder))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('directory_import_line_order')
          .on('directory_import_line')
          .columns(['idnat', 'kind', 'seq'])
          .execute();
      },
    },
  };
}
