import type { Settings } from '../platform/config/index.ts';
import type { Store } from '../platform/store/index.ts';
import { type ContactChangeRequest, recordContactChange } from './contact/contact.ts';
import { InvalidNationalId, PersonNotFound } from './errors.ts';
import { isPersonNationalId, parseNationalId } from './identifiers/index.ts';
import { type ImportOptions, type ImportSummary, importDirectory } from './import/import-directory.ts';
import type { Person } from './model/person.ts';
import { type PersonSummary, type SearchQuery, searchPersons } from './read/search.ts';
import { findPerson } from './read/show.ts';
import type { DirectoryDb } from './store/tables.ts';

export interface DirectoryStats {
  active: number;
  inactive: number;
  lastImport: { id: string; finishedAt: string | null; summary: unknown } | null;
}

/** The directory's public face: what other domains, the CLI and the HTTP API call. */
export interface Directory {
  importExtracts(files: string[], options?: Partial<Omit<ImportOptions, 'now'>>): Promise<ImportSummary>;
  /** The person of a national identifier, active or not; undefined when unknown. */
  find(idnat: string): Promise<Person | undefined>;
  /** Same, but a bad identifier or an unknown person is an error. */
  get(idnat: string): Promise<Person>;
  search(query: SearchQuery): Promise<PersonSummary[]>;
  /** A correspondence change from the registration authority, in force after the delay. */
  requestContactChange(request: ContactChangeRequest): Promise<{ id: string; effectiveAt: string }>;
  stats(): Promise<DirectoryStats>;
  /** National identifiers of active persons, in order (for demos and batch tools). */
  activeIds(limit: number): Promise<string[]>;
}

export function createDirectory(
  store: Store,
  settings: Pick<Settings, 'directory'>,
  clock: () => Date = () => new Date(),
): Directory {
  const db = store.db as DirectoryDb;
  const checkedId = (idnat: string) => {
    const parsed = parseNationalId(idnat);
    if (!parsed.ok) throw InvalidNationalId({ value: idnat, problem: parsed.problem });
    if (!isPersonNationalId(parsed.id)) {
      throw InvalidNationalId({
        value: idnat,
        problem: "il n'identifie pas une personne (8 + RPPS ou 0 + ADELI)",
      });
    }
    return parsed.id.value;
  };
  return {
    importExtracts: (files, options = {}) =>
      importDirectory(store, files, {
        threshold: settings.directory.inactivationThreshold,
        ...options,
        now: clock,
      }),
    find: (idnat) => findPerson(db, idnat.trim(), clock()),
    async get(idnat) {
      const id = checkedId(idnat);
      const person = await findPerson(db, id, clock());
      if (!person) throw PersonNotFound({ idnat: id });
      return person;
    },
    search: (query) => searchPersons(db, query, settings.directory.searchLimit),
    async requestContactChange(request) {
      const id = checkedId(request.idnat);
      if (!(await findPerson(db, id, clock()))) throw PersonNotFound({ idnat: id });
      return recordContactChange(
        db,
        { ...request, idnat: id },
        clock(),
        settings.directory.contactChangeDelayHours,
      );
    },
    async activeIds(limit) {
      const rows = await db
        .selectFrom('directory_person')
        .select('idnat')
        .where('active', '=', 1)
        .orderBy('idnat')
        .limit(limit)
        .execute();
      return rows.map((row) => row.idnat);
    },
    async stats() {
      const counts = await db
        .selectFrom('directory_person')
        .select(['active', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('active')
        .execute();
      const last = await db
        .selectFrom('directory_import')
        .select(['id', 'finished_at', 'summary'])
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return {
        active: Number(counts.find((c) => Number(c.active) === 1)?.n ?? 0),
        inactive: Number(counts.find((c) => Number(c.active) === 0)?.n ?? 0),
        lastImport: last
          ? {
              id: last.id,
              finishedAt: last.finished_at,
              summary: last.summary ? JSON.parse(last.summary) : null,
            }
          : null,
      };
    },
  };
}
