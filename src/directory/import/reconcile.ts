import type { BulkInsert, Store } from '../../platform/store/index.ts';
import type { ExtractKind } from '../extract/index.ts';
import { SECTION_COLUMNS, type StoredSections } from '../model/stored-sections.ts';
import type { DirectoryDb } from '../store/tables.ts';
import { type Derived, derive, type SnapshotPerson, sectionsOf } from './snapshot-person.ts';

export interface ReconcileCounts {
  listed: number;
  created: number;
  changed: number;
  reactivated: number;
  unchanged: number;
}

interface Existing extends StoredSections {
  idnat: string;
  active: number;
  email: string | null;
  mobile: string | null;
  contact_at: string | null;
}

const PERSON_COLUMNS = [
  'idnat',
  'id_type',
  'id_pp',
  'active',
  'family_key',
  'given_key',
  'activite',
  'savoir_faire',
  'diplomes',
  'psc',
  'email',
  'mobile',
  'contact_at',
  'created_at',
  'updated_at',
  'inactivated_at',
] as const;

type Facet = Derived['facets'][number];

/**
 * Compares what the snapshot says of each person with the stored directory and writes only what
 * differs: new persons are inserted, changed ones updated with their facets, returning ones
 * reactivated, unchanged ones left alone. Only the kinds of file imported are compared and
 * written; the others keep what the previous import said.
 */
export class Reconciler {
  readonly counts: ReconcileCounts = { listed: 0, created: 0, changed: 0, reactivated: 0, unchanged: 0 };
  readonly #trx: DirectoryDb;
  readonly #now: string;
  /** Columns of the kinds of file imported, and of the others. */
  readonly #imported: Array<keyof StoredSections>;
  readonly #kept: Array<keyof StoredSections>;
  readonly #contactFromImport: boolean;
  readonly #emptyAtStart: boolean;
  readonly #persons: BulkInsert;
  readonly #facets: BulkInsert;

  /**
   * `emptyAtStart`: the directory had no person when the import began, so none of those it
   * applies exists (each is applied once): they are inserted without being looked up.
   */
  constructor(
    trx: DirectoryDb,
    store: Store,
    importedKinds: ReadonlySet<ExtractKind>,
    options: { now: string; emptyAtStart: boolean },
  ) {
    this.#trx = trx;
    this.#now = options.now;
    this.#emptyAtStart = options.emptyAtStart;
    const columns = Object.entries(SECTION_COLUMNS);
    this.#imported = columns.filter(([kind]) => importedKinds.has(kind as ExtractKind)).map(([, c]) => c);
    this.#kept = columns.filter(([kind]) => !importedKinds.has(kind as ExtractKind)).map(([, c]) => c);
    this.#contactFromImport = importedKinds.has('psc');
    this.#persons = store.bulkInsert(trx, 'directory_person', PERSON_COLUMNS);
    this.#facets = store.bulkInsert(trx, 'directory_facet', ['idnat', 'kind', 'value']);
  }

  /** Applies a batch of persons listed by the snapshot (each once in the whole import). */
  async apply(persons: SnapshotPerson[]): Promise<void> {
    if (persons.length === 0) return;
    const existing = await this.#existing(persons.map((person) => person.idnat));
    const inserts: unknown[][] = [];
    const facets: unknown[][] = [];
    for (const person of persons) {
      this.counts.listed++;
      const { idnat } = person;
      const stored: Partial<StoredSections> = {};
      for (const column of this.#imported) stored[column] = person.stored[column] ?? null;
      const previous = existing.get(idnat);
      if (previous && this.#imported.every((column) => previous[column] === stored[column])) {
        if (previous.active === 1) this.counts.unchanged++;
        else {
          this.counts.reactivated++;
          await this.#trx
            .updateTable('directory_person')
            .set({ active: 1, inactivated_at: null, updated_at: this.#now })
            .where('idnat', '=', idnat)
            .execute();
        }
        continue;
      }
      const derived = previous ? this.#derivedWithKept(person, previous) : person.derived;
      const contact = this.#contactFromImport
        ? { email: derived.email, mobile: derived.mobile }
        : { email: previous?.email ?? null, mobile: previous?.mobile ?? null };
      const contactChanged =
        !previous || previous.email !== contact.email || previous.mobile !== contact.mobile;
      const row = {
        id_type: derived.idType,
        id_pp: derived.idPP,
        active: 1,
        family_key: derived.familyKey,
        given_key: derived.givenKey,
        ...stored,
        email: contact.email,
        mobile: contact.mobile,
        contact_at: contactChanged
          ? contact.email || contact.mobile
            ? this.#now
            : null
          : (previous?.contact_at ?? null),
        updated_at: this.#now,
        inactivated_at: null,
      };
      if (previous) {
        if (previous.active === 1) this.counts.changed++;
        else this.counts.reactivated++;
        await this.#trx.updateTable('directory_person').set(row).where('idnat', '=', idnat).execute();
        await this.#replaceFacets(idnat, derive(idnat, sectionsOf(previous)).facets, derived.facets);
      } else {
        this.counts.created++;
        const created: Record<string, unknown> = { idnat, created_at: this.#now, ...row };
        inserts.push(PERSON_COLUMNS.map((column) => created[column] ?? null));
        for (const facet of derived.facets) facets.push([idnat, facet.kind, facet.value]);
      }
    }
    await this.#persons.insert(inserts);
    await this.#facets.insert(facets);
  }

  async #existing(idnats: string[]): Promise<Map<string, Existing>> {
    if (this.#emptyAtStart) return new Map();
    const rows = await this.#trx
      .selectFrom('directory_person')
      .select([
        'idnat',
        'active',
        'activite',
        'savoir_faire',
        'diplomes',
        'psc',
        'email',
        'mobile',
        'contact_at',
      ])
      .where('idnat', 'in', idnats)
      .execute();
    return new Map(rows.map((row) => [row.idnat, row]));
  }

  /** What derives from the imported sections together with those kept from the previous import. */
  #derivedWithKept(person: SnapshotPerson, previous: Existing): Derived {
    if (this.#kept.every((column) => previous[column] === null)) return person.derived;
    const kept: Partial<StoredSections> = {};
    for (const column of this.#kept) kept[column] = previous[column];
    return derive(person.idnat, sectionsOf({ ...kept, ...person.stored }));
  }

  /** Deletes the facets the person lost, inserts those it gained. */
  async #replaceFacets(idnat: string, before: Facet[], after: Facet[]): Promise<void> {
    const key = (facet: Facet) => `${facet.kind}|${facet.value}`;
    const kept = new Set(after.map(key));
    const had = new Set(before.map(key));
    for (const facet of before) {
      if (kept.has(key(facet))) continue;
      await this.#trx
        .deleteFrom('directory_facet')
        .where('kind', '=', facet.kind)
        .where('value', '=', facet.value)
        .where('idnat', '=', idnat)
        .execute();
    }
    await this.#facets.insert(
      after.filter((facet) => !had.has(key(facet))).map((facet) => [idnat, facet.kind, facet.value]),
    );
  }
}
