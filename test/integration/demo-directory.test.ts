import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checkRpps,
  createDirectory,
  type Directory,
  loadDemoDirectoryIfEmpty,
} from '../../src/directory/index.ts';
import { defaults } from '../../src/platform/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

for (const storeCase of storeCases()) {
  describe(`demo directory (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let directory: Directory;
    before(async () => {
      opened = await storeCase.open();
      directory = createDirectory(opened.store, defaults);
    });
    after(() => opened.dispose());

    it('loads through the importer on an empty store, and only then', async () => {
      const summary = await loadDemoDirectoryIfEmpty(directory);
      assert.ok(summary, 'loaded on an empty store');
      assert.ok(summary.persons.created >= 30, `at least 30 persons, got ${summary.persons.created}`);
      assert.equal(summary.warningCount, 0, summary.warnings.join('\n'));
      assert.equal(await loadDemoDirectoryIfEmpty(directory), undefined, 'never loaded over existing data');
    });

    it('has the professionals the demos and tests rely on', async () => {
      const gps = await directory.search({ specialty: 'SM54', limit: 100 });
      const groupGp = [];
      for (const { nationalId } of gps) {
        const person = await directory.get(nationalId);
        const liberalGroup = person.exercices[0]!.activities.some(
          (a) => a.mode?.code === 'L' && a.sector?.code === 'SA08',
        );
        if (liberalGroup) groupGp.push(person);
      }
      assert.ok(groupGp.length >= 2, 'general practitioners in a liberal group practice');

      const doctors = await directory.search({ profession: '10', limit: 100 });
      const people = await Promise.all(doctors.map((d) => directory.get(d.nationalId)));
      assert.ok(
        people.some((p) =>
          p.exercices[0]!.activities.some(
            (a) => a.mode?.code === 'S' && a.sector?.code === 'SA01' && a.structure?.finess,
          ),
        ),
        'a hospital doctor',
      );
      assert.ok((await directory.search({ profession: '21' })).length >= 1, 'a pharmacist');

      const nurse = await directory.get('899760000044');
      assert.equal(nurse.exercices[0]!.profession.code, '60');
      const adeliId = nurse.otherIds.find((o) => o.type === 'ADELI')?.id;
      assert.ok(adeliId?.startsWith('0'), 'the nurse lists her older ADELI-based identifier');
      const adeliNurse = await directory.get(adeliId!);
      assert.equal(adeliNurse.idType, '0');

      const adeliOnly = await directory.get('0999301021');
      assert.equal(adeliOnly.exercices[0]!.activities.length, 0, 'no practice location');
      assert.ok(adeliOnly.contact.email && adeliOnly.contact.mobile);
      assert.equal(
        (await directory.get('899760000069')).contact.mobile,
        null,
        'one without a correspondence mobile',
      );

      for (const person of people) {
        assert.ok(person.idPP.startsWith('997'), `${person.nationalId} is in ANS's test range`);
        assert.equal(checkRpps(person.idPP), null);
      }
    });
  });
}
