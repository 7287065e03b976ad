import { type Kysely, sql } from 'kysely';
import type { BulkInsert, Store } from '../../platform/store/index.ts';
import type { ExtractKind } from '../extract/index.ts';
import type { DirectoryTables } from '../store/tables.ts';
import type { StagedRow } from './assemble.ts';
import { type SnapshotPerson, withRows } from './snapshot-person.ts';

/** One identifier with every line the imported files give it, each file's lines in file order. */
export interface PersonLines {
  idnat: string;
  rows: StagedRow[];
}

interface ScratchTables {
  /** Lines read before the persons they belong to; `payload` is the values joined by `|`. */
  directory_import_staged: { idnat: string; kind: string; seq: number; payload: string };
  /** Identifiers listed by a person file so far. */
  directory_import_listed: { idnat: string };
}

type ScratchDb = Kysely<DirectoryTables & ScratchTables>;

/**
 * The import's working tables. Temporary: private to the import's connection, gone with it if
 * the process dies, and outside the database's journal (SQLite's WAL, PostgreSQL's), so that
 * what is only needed during the import is neither logged nor checkpointed.
 */
export class ImportScratch {
  readonly #db: ScratchDb;
  readonly #staged: BulkInsert;
  readonly #listed: BulkInsert;
  #seq = 0;

  private constructor(db: ScratchDb, store: Store) {
    this.#db = db;
    this.#staged = store.bulkInsert(db, 'directory_import_staged', ['idnat', 'kind', 'seq', 'payload']);
    this.#listed = store.bulkInsert(db, 'directory_import_listed', ['idnat'], { ignoreConflicts: true });
  }

  /** Creates the tables in the running transaction (they go if it rolls back). */
  static async create(trx: Kysely<DirectoryTables>, store: Store): Promise<ImportScratch> {
    const db = trx as unknown as ScratchDb;
    const { kind } = store;
    // Identifiers compare byte by byte on both stores, as in directory_person.
    const byteOrder = kind === 'postgres' ? sql`collate "C"` : sql``;
    await db.schema
      .createTable('directory_import_staged')
      .temporary()
      .addColumn('idnat', 'text', (c) => c.notNull().modifyFront(byteOrder))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('directory_import_staged_person')
      .on('directory_import_staged')
      .columns(['idnat', 'seq'])
      .execute();
    await db.schema
      .createTable('directory_import_listed')
      .temporary()
      .addColumn('idnat', 'text', (c) => c.primaryKey().modifyFront(byteOrder))
      .$call((table) => (kind === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table))
      .execute();
    return new ImportScratch(db, store);
  }

  /** Whether any line was staged: persons read from a stream then look theirs up. */
  get hasStaged(): boolean {
    return this.#seq > 0;
  }

  async stage(rows: Array<{ idnat: string; kind: ExtractKind; values: string[] }>): Promise<void> {
    await this.#staged.insert(rows.map((row) => [row.idnat, row.kind, this.#seq++, row.values.join('|')]));
  }

  /**
   * Records that a person file lists these identifiers. False when one of them was listed
   * already: a person whose lines are not all together.
   */
  async list(idnats: string[]): Promise<boolean> {
    const added = await this.#listed.insert(idnats.map((idnat) => [idnat]));
    return added === idnats.length;
  }

  /** The persons with the lines staged for them added. */
  async withStagedLines(persons: SnapshotPerson[]): Promise<SnapshotPerson[]> {
    if (!this.hasStaged || persons.length === 0) return persons;
    const staged = await this.#stagedRows(persons.map((person) => person.idnat));
    return persons.map((person) => withRows(person, staged.get(person.idnat) ?? []));
  }

  /** Staged rows of these identifiers, each file's in file order. */
  async #stagedRows(idnats: string[]): Promise<Map<string, StagedRow[]>> {
    const lines = await this.#db
      .selectFrom('directory_import_staged')
      .select(['idnat', 'kind', 'payload'])
      .where('idnat', 'in', idnats)
      .orderBy('idnat')
      .orderBy('seq')
      .execute();
    const rows = new Map<string, StagedRow[]>();
    for (const line of lines) {
      let person = rows.get(line.idnat);
      if (!person) {
        person = [];
        rows.set(line.idnat, person);
      }
      person.push({ kind: line.kind as ExtractKind, values: line.payload.split('|') });
    }
    return rows;
  }

  /** The next persons (in identifier order, after `after`) with staged lines and not listed yet. */
  async unlisted(after: string, limit: number): Promise<PersonLines[]> {
    const ids = await this.#db
      .selectFrom('directory_import_staged as s')
      .select('s.idnat')
      .distinct()
      .where('s.idnat', '>', after)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('directory_import_listed as l').select('l.idnat').whereRef('l.idnat', '=', 's.idnat'),
          ),
        ),
      )
      .orderBy('s.idnat')
      .limit(limit)
      .execute();
    if (ids.length === 0) return [];
    const staged = await this.#stagedRows(ids.map((row) => row.idnat));
    return ids.map((row) => ({ idnat: row.idnat, rows: staged.get(row.idnat) ?? [] }));
  }

  /** Active persons that no person file listed, as a condition on directory_person. */
  static readonly notListed = sql<boolean>`not exists (
    select 1 from directory_import_listed l where l.idnat = directory_person.idnat
  )`;

  async drop(): Promise<void> {
    await this.#db.schema.dropTable('directory_import_staged').execute();
    await this.#db.schema.dropTable('directory_import_listed').execute();
  }
}
