import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDirectory, directoryMigrations } from '../../src/directory/index.ts';
import { readSections } from '../../src/directory/model/stored-sections.ts';
import { migrate } from '../../src/platform/index.ts';
import { DIRECTORY_SETTINGS, directorySnapshot, PERSONS_AND_FACETS } from '../support/directory.ts';
import {
  ACTIVITE_HEADER,
  extractDir,
  line,
  PSC_HEADER,
  REAL_ROWS,
  writeExtract,
} from '../support/extracts.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const FIRST = '2026-11-25-01-directory';

/**
 * A directory imported before the 2026-11-26 layout (sections in one JSON column with every
 * field, a hash, a facet for the person's own identifiers) becomes exactly what an import now
 * writes, and importing the same files again then changes nothing.
 */
for (const storeCase of storeCases()) {
  describe(`directory migration to the per-kind layout (${storeCase.kind})`, () => {
    let fresh: OpenedStore;
    let old: OpenedStore;
    let files: string[];
    const clock = () => new Date('2026-11-25T08:00:00Z');

    before(async () => {
      const dir = extractDir();
      files = [
        writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt', [
          ACTIVITE_HEADER,
          REAL_ROWS.orthoptist,
          REAL_ROWS.doctor,
        ]),
        writeExtract(dir, 'Extraction_ProSanteConnect_Personne_activite_202611250800.txt', [
          PSC_HEADER,
          line(PSC_HEADER, {
            "Type d'identifiant PP": '8',
            'Identifiant PP': '10001045367',
            'Identification nationale PP': '810001045367',
            'Nom de famille': 'NOM5',
            Prénoms: "PRENOM5'JEAN",
            'Adresse e-mail (coord. correspondance)': 'nom5@example.test',
            'Téléphone (coord. correspondance)': '',
            'Code profession': '10',
            "Nom d'exercice": 'NOM5',
            'Autres identifiants': '810001045367,RPPS,1;0019200575,ADELI,1',
          }),
        ]),
      ];
      fresh = await storeCase.open();
      await createDirectory(fresh.store, DIRECTORY_SETTINGS, clock).importExtracts(files);
      old = await storeCase.open({
        migrations: (store) => [{ [FIRST]: directoryMigrations(store.kind)[FIRST]! }],
      });
    });
    after(async () => {
      await fresh?.dispose();
      await old?.dispose();
    });

    it('converts the persons and their facets, and a re-import changes nothing', async () => {
      // The same directory as the importer wrote it before.
      for (const row of await fresh.store.db.selectFrom('directory_person').selectAll().execute()) {
        const { activite, savoir_faire, diplomes, psc, ...rest } = row;
        const sections = readSections({ activite, savoir_faire, diplomes, psc });
        await old.store.db
          .insertInto('directory_person')
          .values({ ...rest, sections: JSON.stringify(sections), hash: 'avant' })
          .execute();
        for (const own of [row.idnat, row.id_pp])
          await old.store.db
            .insertInto('directory_facet')
            .values({ idnat: row.idnat, kind: 'id', value: own })
            .execute();
      }
      const facets = await fresh.store.db.selectFrom('directory_facet').selectAll().execute();
      await old.store.db.insertInto('directory_facet').values(facets).execute();

      await migrate(old.store, directoryMigrations(old.store.kind));
      assert.equal(
        await directorySnapshot(old.store, PERSONS_AND_FACETS),
        await directorySnapshot(fresh.store, PERSONS_AND_FACETS),
      );

      const directory = createDirectory(
        old.store,
        DIRECTORY_SETTINGS,
        () => new Date('2026-11-26T08:00:00Z'),
      );
      const summary = await directory.importExtracts(files);
      assert.deepEqual([summary.persons.unchanged, summary.persons.changed], [2, 0]);
      assert.equal(
        await directorySnapshot(old.store, PERSONS_AND_FACETS),
        await directorySnapshot(fresh.store, PERSONS_AND_FACETS),
      );
      assert.deepEqual(
        (await directory.search({ id: '0019200575' })).map((person) => person.nationalId),
        ['0019200575', '810001045367'],
        'own identifier and linked one',
      );
    });
  });
}
