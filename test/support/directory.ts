import type { Store } from '../../src/platform/index.ts';

/** The directory settings of the import tests: the defaults, written out so a test reads them. */
export const DIRECTORY_SETTINGS = {
  directory: { contactChangeDelayHours: 48, inactivationThreshold: 0.05, searchLimit: 100 },
};

/** What an import writes: persons, their facets, the record of each import. */
export const DIRECTORY_TABLES = ['directory_person', 'directory_facet', 'directory_import'];

/** What was imported, without the import records (their dates and durations differ by run). */
export const PERSONS_AND_FACETS = ['directory_person', 'directory_facet'];

/**
 * Every row of these tables, every column, in a stable order: two snapshots are equal when the
 * tables hold the same thing, whatever order the rows were written in.
 */
export async function directorySnapshot(store: Store, tables = DIRECTORY_TABLES): Promise<string> {
  const parts: string[][] = [];
  for (const table of tables) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    parts.push(rows.map((row) => JSON.stringify(row)).sort());
  }
  return JSON.stringify(parts);
}
