import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { writeSyntheticExtract } from '../../bench/extract-generator.ts';
import { luhnKey } from '../../src/directory/identifiers/index.ts';
import { createDirectory, type Directory } from '../../src/directory/index.ts';
import { isCaduceeError, type Store } from '../../src/platform/index.ts';
import { DIRECTORY_SETTINGS, directorySnapshot, PERSONS_AND_FACETS } from '../support/directory.ts';
import { extractDir } from '../support/extracts.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const NAME = 'PS_LibreAcces_Personne_activite_2026112';

/** The directory's indexes as the store lists them. */
async function indexes(store: Store): Promise<string[]> {
  const { rows } =
    store.kind === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master
          where type = 'index' and tbl_name like 'directory%' order by name`.execute(store.db)
      : await sql<{ name: string }>`select indexname as name from pg_indexes
          where schemaname = current_schema() and tablename like 'directory%' order by indexname`.execute(
          store.db,
        );
  return rows.map((row) => row.name);
}

/**
 * The same lines with each person's apart: its first line where it was, the others at the end
 * (in their order: the first line of a person gives its names).
 */
function scattered(lines: string[]): string[] {
  const idnat = (line: string | undefined) => line?.split('|', 3)[2];
  const firsts = lines.filter((line, index) => idnat(line) !== idnat(lines[index - 1]));
  const others = lines.filter((line, index) => idnat(line) === idnat(lines[index - 1]));
  assert.ok(others.length > 1000, 'enough persons with several lines');
  return [...firsts, ...others];
}

/** A snapshot a day later: some persons gone, renamed, moved, and new ones. */
function nextDay(lines: string[]): string[] {
  const fields = lines.map((text) => text.split('|'));
  const changed = fields.slice(300).map((line, index) => {
    const copy = [...line];
    if (index % 7 === 0) copy[7] = 'AUTRE-NOM';
    if (index % 11 === 0) copy[35] = '13001';
    return copy;
  });
  const added = fields.slice(1000, 1100).map((line, index) => {
    const body = `998${String(index).padStart(7, '0')}`;
    const rpps = `${body}${luhnKey(body)}`;
    return ['8', rpps, `8${rpps}`, ...line.slice(3)];
  });
  return [...changed, ...added].map((line) => line.join('|'));
}

/**
 * A person file is read as a stream (in a worker thread when large) when each person's lines
 * follow each other, and staged when they do not. Both ways must give the same directory: the
 * same snapshots, once grouped and once with the persons' lines scattered, are imported into two
 * stores, into an empty directory and then over it.
 */
for (const storeCase of storeCases()) {
  describe(`directory import: streamed or staged (${storeCase.kind})`, () => {
    let grouped: OpenedStore;
    let apart: OpenedStore;
    let header: string;
    let base: string[];
    const dir = extractDir();
    let clock = new Date('2026-11-25T08:00:00Z');
    const directoryOf = (opened: OpenedStore) =>
      createDirectory(opened.store, DIRECTORY_SETTINGS, () => clock);
    const write = (name: string, lines: string[]) => {
      const file = path.join(dir, `${NAME}${name}.txt`);
      writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
      return file;
    };

    before(async () => {
      [grouped, apart] = [await storeCase.open(), await storeCase.open()];
      // Over 4 MiB: read in a worker thread.
      const file = path.join(dir, `${NAME}50800.txt`);
      await writeSyntheticExtract(file, 15_000, 11);
      [header = '', ...base] = readFileSync(file, 'utf8').trimEnd().split('\n');
    });
    after(async () => {
      await grouped?.dispose();
      await apart?.dispose();
    });

    it("gives the same directory whether each person's lines are together or not", async () => {
      const into = async (opened: OpenedStore, name: string, lines: string[]) =>
        (await directoryOf(opened).importExtracts([write(name, lines)])).persons;
      const first = await into(grouped, '50801', base);
      assert.equal(first.created, first.listed);
      assert.deepEqual(await into(apart, '50802', scattered(base)), first);
      assert.equal(
        await directorySnapshot(apart.store, PERSONS_AND_FACETS),
        await directorySnapshot(grouped.store, PERSONS_AND_FACETS),
      );

      clock = new Date('2026-11-26T08:00:00Z');
      const next = nextDay(base);
      const second = await into(grouped, '60801', next);
      assert.ok(
        second.created === 100 && second.changed > 0 && second.inactivated > 0,
        JSON.stringify(second),
      );
      assert.deepEqual(await into(apart, '60802', scattered(next)), second);
      assert.equal(
        await directorySnapshot(apart.store, PERSONS_AND_FACETS),
        await directorySnapshot(grouped.store, PERSONS_AND_FACETS),
      );
    });

    it('from a worker thread: a malformed line is refused with file:line, a wrong key warned about', async () => {
      const directory = directoryOf(grouped);
      const before = await directorySnapshot(grouped.store, PERSONS_AND_FACETS);
      const next = nextDay(base);
      const broken = write('70801', [...next, `${next.at(-1)}en trop|`]);
      await assert.rejects(directory.importExtracts([broken]), (error: unknown) => {
        assert.ok(isCaduceeError(error));
        assert.equal(error.code, 'DIRECTORY_MALFORMED_LINE');
        assert.match(error.message, new RegExp(`${NAME}70801\\.txt:${next.length + 2} : 53 champs`));
        return true;
      });
      assert.equal(await directorySnapshot(grouped.store, PERSONS_AND_FACETS), before);

      const [, body = '', key = ''] = /^8\|(\d{10})(\d)\|/.exec(next.at(-1)!)!;
      const badRpps = `${body}${(Number(key) + 1) % 10}`;
      const wrongKey = next.at(-1)!.replace(/^8\|\d{11}\|8\d{11}\|/, `8|${badRpps}|8${badRpps}|`);
      const lenient = write('70802', [...next.slice(0, -1), wrongKey]);
      const summary = await directory.importExtracts([lenient], { lenientKeys: true });
      assert.equal(summary.warningCount, 1);
      assert.match(summary.warnings[0]!, new RegExp(`${NAME}70802\\.txt:${next.length + 1} : .* invalide`));
    });

    it('leaves the search indexes in place after a first import, refused or not', async () => {
      const fresh = await storeCase.open();
      try {
        const directory: Directory = directoryOf(fresh);
        const expected = await indexes(fresh.store);
        assert.ok(expected.includes('directory_person_name') && expected.includes('directory_facet_value'));
        const refused = write('80801', [...base, 'tronquée']);
        await assert.rejects(directory.importExtracts([refused]));
        assert.deepEqual(await indexes(fresh.store), expected);
        await directory.importExtracts([write('80802', base)]);
        assert.deepEqual(await indexes(fresh.store), expected);
        const [person] = await directory.search({ name: 'MA', limit: 1 });
        assert.ok(person, 'the name index answers');
      } finally {
        await fresh.dispose();
      }
    });
  });
}
