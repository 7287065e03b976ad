import { type Kysely, sql } from 'kysely';
import type { Migrations, StoreKind } from '../../platform/store/index.ts';
import { facetsOf } from '../model/person.ts';
import type { PersonSections } from '../model/sections.ts';
import { SECTION_COLUMNS, sectionJson } from '../model/stored-sections.ts';

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
    // Sections in one column per kind of file, compact; no facet for a person's own identifier
    // and no index of facets by person; the import stages in temporary tables (import/).
    '2026-11-26-70-directory-import-layout': {
      async up(db: Kysely<any>) {
        for (const column of Object.values(SECTION_COLUMNS))
          await db.schema.alterTable('directory_person').addColumn(column, 'text').execute();
        await db.deleteFrom('directory_facet').execute();
        let after = '';
        for (;;) {
          const rows: Array<{ idnat: string; id_pp: string; sections: string }> = await db
            .selectFrom('directory_person')
            .select(['idnat', 'id_pp', 'sections'])
            .where('idnat', '>', after)
            .orderBy('idnat')
            .limit(1000)
            .execute();
          if (rows.length === 0) break;
          after = rows.at(-1)!.idnat;
          for (const row of rows) {
            // Written with every field present, as readSections gives them back.
            const sections = JSON.parse(row.sections) as PersonSections;
            await db
              .updateTable('directory_person')
              .set({
                activite: sectionJson(sections.activite),
                savoir_faire: sectionJson(sections.savoirFaire),
                diplomes: sectionJson(sections.diplomes),
                psc: sectionJson(sections.psc),
              })
              .where('idnat', '=', row.idnat)
              .execute();
            const facets = facetsOf(row.idnat, row.id_pp, sections);
            if (facets.length > 0)
              await db
                .insertInto('directory_facet')
                .values(facets.map((facet) => ({ idnat: row.idnat, ...facet })))
                .execute();
          }
        }
        await db.schema.alterTable('directory_person').dropColumn('sections').execute();
        await db.schema.alterTable('directory_person').dropColumn('hash').execute();
        await db.schema.dropIndex('directory_facet_person').execute();
        await db.schema.dropTable('directory_import_line').execute();
      },
    },
  };
}
