import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import yazl from 'yazl';
import { createDirectory, type Directory } from '../../src/directory/index.ts';
import { isCaduceeError } from '../../src/platform/errors/index.ts';
import { DIRECTORY_SETTINGS } from '../support/directory.ts';
import {
  ACTIVITE_HEADER,
  DIPLOMES_HEADER,
  extractDir,
  line,
  PSC_HEADER,
  REAL_ROWS,
  SAVOIR_FAIRE_HEADER,
  writeExtract,
} from '../support/extracts.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isCaduceeError(error), `expected a CaduceeError, got ${error}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

async function zip(file: string, entries: Record<string, string>) {
  const archive = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) archive.addBuffer(Buffer.from(content), name);
  archive.end();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** File descriptors this process holds on `file` (Linux `/proc`). */
function descriptorsOn(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path.resolve(file);
    } catch {
      return false; // closed between the listing and the read
    }
  }).length;
}

/** Waits (1 s at most) until the process holds no descriptor on `file`: closing is asynchronous. */
async function assertReleased(file: string, message: string) {
  for (let waited = 0; descriptorsOn(file) > 0 && waited < 1000; waited += 20) await setTimeout(20);
  assert.equal(descriptorsOn(file), 0, message);
}

for (const storeCase of storeCases()) {
  describe(`directory import (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let directory: Directory;
    let clock = new Date('2026-11-25T08:00:00Z');
    const dir = extractDir();

    before(async () => {
      opened = await storeCase.open();
      directory = createDirectory(opened.store, DIRECTORY_SETTINGS, () => clock);
    });
    after(() => opened.dispose());

    it('imports the real rows of EXTRACTS.md with codes resolved to current labels', async () => {
      const file = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.orthoptist,
        REAL_ROWS.doctor,
      ]);
      const summary = await directory.importExtracts([file]);
      assert.equal(summary.linesRead, 2);
      assert.equal(summary.persons.created, 2);

      const orthoptist = await directory.get('0019200575');
      assert.equal(orthoptist.idType, '0');
      assert.equal(orthoptist.civility?.label, 'Madame');
      const [exercice] = orthoptist.exercices;
      assert.equal(exercice?.profession.label, 'Orthoptiste');
      assert.equal(exercice?.nomExercice, 'NOM3');
      const [activity] = exercice!.activities;
      assert.equal(
        activity?.mode?.label,
        'Libéral, indépendant, artisan, commerçant',
        'label from TRE_R23, not the file',
      );
      assert.equal(activity?.sector?.code, 'SA08');
      assert.equal(activity?.structure?.structureId, 'C01920057500');
      assert.equal(activity?.structure?.complementPointGeographique, 'MAISON DE SANTE DE MIONNAY');
      assert.equal(activity?.structure?.bureauCedex, '01390 MIONNAY');
      assert.equal(activity?.structure?.telephone, '0472260321');
      assert.equal(activity?.structure?.autoriteEnregistrement, 'ARS/CPAM/CPAM');

      const doctor = await directory.get('810001045367');
      const medecin = doctor.exercices[0]!;
      assert.equal(medecin.profession.code, '10');
      assert.equal(medecin.civiliteExercice?.label, 'Docteur');
      assert.deepEqual(
        medecin.savoirFaire.map((sf) => [sf.type.code, sf.code, sf.label]),
        [['S', 'SM49', 'Santé publique et Médecine sociale (SM)']], // TRE_R38's label, not the file's
      );
      const site = medecin.activities[0]!;
      assert.equal(site.mode?.code, 'S');
      assert.equal(site.structure?.siret, '85131528300016');
      assert.equal(site.structure?.libellePays, 'Royaume-uni');
      assert.equal(site.structure?.ancienIdentifiant, '385131528300016');
    });

    it('changes nothing when the same files are imported again', async () => {
      const before = await directory.get('810001045367');
      clock = new Date('2026-11-26T08:00:00Z');
      const file = path.join(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt');
      const summary = await directory.importExtracts([file]);
      assert.deepEqual(summary.persons, {
        listed: 2,
        created: 0,
        changed: 0,
        reactivated: 0,
        unchanged: 2,
        inactivated: 0,
      });
      assert.equal((await directory.get('810001045367')).updatedAt, before.updatedAt);
    });

    it('reads header variants, extra and unknown columns, BOM and CRLF (56-column generation)', async () => {
      const header56 = `${ACTIVITE_HEADER.replace('Code Département (structure)', 'Code département (coord. structure)')}Code fonction|Libellé fonction|Code genre d'activité|Libellé genre d'activité|`;
      const header57 = `${header56}Colonne ajoutée plus tard|`;
      assert.equal(header56.split('|').length - 1, 56);
      const orthoptist = `${REAL_ROWS.orthoptist}FON-01|Titulaire|GENR01|Activité standard|`;
      const doctor = `${REAL_ROWS.doctor}|||||`.replace(/\|\|\|\|\|$/, '||||x|');
      const file = writeExtract(
        dir,
        'PS_LibreAcces_Personne_activite_202611270800.txt',
        [header57, `${orthoptist}inconnu|`, doctor],
        { bom: true, crlf: true },
      );
      clock = new Date('2026-11-27T08:00:00Z');
      const summary = await directory.importExtracts([file]);
      assert.equal(summary.persons.changed, 1, 'the orthoptist gained a fonction and a genre');
      assert.equal(summary.persons.unchanged, 1);
      const activity = (await directory.get('0019200575')).exercices[0]!.activities[0]!;
      assert.equal(activity.fonction?.code, 'FON-01');
      assert.equal(activity.genre?.code, 'GENR01');
      assert.equal(activity.structure?.codeDepartement, '');
    });

    it('stops at a malformed line with file:line and leaves the directory as it was', async () => {
      const before = await directory.get('0019200575');
      const file = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611280800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.doctor.replace('NOM5', 'CHANGED'),
        REAL_ROWS.orthoptist.replace('|MME|', '|MME|extra|'),
      ]);
      await rejectsWith(
        directory.importExtracts([file]),
        'DIRECTORY_MALFORMED_LINE',
        /PS_LibreAcces_Personne_activite_202611280800\.txt:3 : 53 champs au lieu des 52/,
      );
      assert.equal(
        (await directory.get('810001045367')).exercices[0]!.nomExercice,
        'NOM5',
        'first line not applied',
      );
      assert.deepEqual(await directory.get('0019200575'), before);
    });

    it('refuses a bad identifier key, a missing required column and an empty file, naming them', async () => {
      const badKey = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611280801.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.doctor.replaceAll('10001045367', '10001045368'),
      ]);
      await rejectsWith(
        directory.importExtracts([badKey]),
        'DIRECTORY_MALFORMED_LINE',
        /:2 : identification nationale 810001045368 invalide : clé/,
      );
      const noProfession = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611280802.txt', [
        ACTIVITE_HEADER.replace('Code profession|', 'Code prof|'),
        REAL_ROWS.doctor,
      ]);
      await rejectsWith(
        directory.importExtracts([noProfession]),
        'DIRECTORY_MISSING_COLUMN',
        /:1 .*« Code profession »/,
      );
      const empty = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611280803.txt', []);
      writeFileSync(empty, '');
      await rejectsWith(directory.importExtracts([empty]), 'DIRECTORY_EMPTY_FILE');
      const invalidUtf8 = path.join(dir, 'PS_LibreAcces_Personne_activite_202611280804.txt');
      writeFileSync(
        invalidUtf8,
        Buffer.concat([Buffer.from(`${ACTIVITE_HEADER}\n`), Buffer.from([0x38, 0xff, 0xfe, 0x0a])]),
      );
      await rejectsWith(
        directory.importExtracts([invalidUtf8]),
        'DIRECTORY_MALFORMED_LINE',
        /:2 : texte qui n’est pas de l’UTF-8 valide/,
      );
      await rejectsWith(
        directory.importExtracts([path.join(dir, 'nothing.txt')]),
        'DIRECTORY_FILE_UNREADABLE',
      );
    });

    it('reads zipped extracts and refuses a truncated archive', async () => {
      const content = readFileSync(
        path.join(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt'),
        'utf8',
      );
      const archive = await zip(path.join(dir, 'PS_LibreAcces_202611290800.zip'), {
        'PS_LibreAcces_Personne_activite_202611290800.txt': content,
        'PS_LibreAcces_SavoirFaire_202611290800.txt': `${SAVOIR_FAIRE_HEADER}\n${line(SAVOIR_FAIRE_HEADER, {
          "Type d'identifiant PP": '8',
          'Identifiant PP': '10001045367',
          'Identification nationale PP': '810001045367',
          'Code profession': '10',
          'Code type savoir-faire': 'S',
          'Code savoir-faire': 'SM26',
        })}\n`,
        'PS_LibreAcces_Dipl_AutExerc_202611290800.txt': `${DIPLOMES_HEADER}\n${line(DIPLOMES_HEADER, {
          "Type d'identifiant PP": '8',
          'Identifiant PP': '10001045367',
          'Identification nationale PP': '810001045367',
          'Code type diplôme obtenu': 'DE',
          'Libellé type diplôme obtenu': "Diplôme d'Etat français",
          'Code diplôme obtenu': 'DE09',
          'Libellé diplôme obtenu': 'DE Docteur en médecine',
        })}\n`,
      });
      clock = new Date('2026-11-29T08:00:00Z');
      const summary = await directory.importExtracts([archive]);
      assert.deepEqual(
        summary.files.map((f) => [f.kind, f.lines]),
        [
          ['activite', 2],
          ['savoirFaire', 1],
          ['diplomes', 1],
        ],
      );
      const doctor = await directory.get('810001045367');
      assert.deepEqual(doctor.exercices[0]!.savoirFaire.map((sf) => sf.code).sort(), ['SM26', 'SM49']);
      assert.equal(doctor.diplomas[0]?.diploma.label, 'DE Docteur en médecine');
      // The server imports in process: an archive left open would leak a descriptor per import.
      await assertReleased(archive, 'the archive is closed after the import');

      const bytes = readFileSync(archive);
      const truncated = path.join(dir, 'PS_LibreAcces_202611300800.zip');
      writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await rejectsWith(directory.importExtracts([truncated]), 'DIRECTORY_FILE_UNREADABLE', /zip/);
      await assertReleased(truncated, 'a refused archive is closed too');
    });

    it('takes contacts and linked identifiers from the PSC extract; a registration-authority change waits for its delay', async () => {
      const doctorLine = line(PSC_HEADER, {
        "Type d'identifiant PP": '8',
        'Identifiant PP': '10001045367',
        'Identification nationale PP': '810001045367',
        'Nom de famille': 'NOM5',
        Prénoms: "PRENOM5'JEAN",
        'Date de naissance': '01/02/1970',
        'Téléphone (coord. correspondance)': '0639980001',
        'Adresse e-mail (coord. correspondance)': 'nom5@example.test',
        'Code profession': '10',
        "Nom d'exercice": 'NOM5',
        'Autres identifiants': '810001045367,RPPS,1;0019200575,ADELI,1',
      });
      const activite = path.join(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt');
      const psc = writeExtract(dir, 'Extraction_ProSanteConnect_Personne_activite_202612010800.txt', [
        PSC_HEADER,
        doctorLine,
        line(PSC_HEADER, {
          "Type d'identifiant PP": '0',
          'Identifiant PP': '019200575',
          'Identification nationale PP': '0019200575',
          'Code profession': '92',
          "Nom d'exercice": 'NOM3',
        }),
      ]);
      clock = new Date('2026-12-01T08:00:00Z');
      await directory.importExtracts([activite, psc]);
      let doctor = await directory.get('810001045367');
      assert.equal(doctor.contact.email, 'nom5@example.test');
      assert.equal(doctor.contact.mobile, '0639980001');
      assert.deepEqual(doctor.givenNames, ['PRENOM5', 'JEAN']);
      assert.deepEqual(
        doctor.otherIds.map((o) => o.id),
        ['0019200575', '810001045367'],
      );
      assert.equal(doctor.exercices[0]!.activities.length, 1, 'practice still from the public extract');

      const change = await directory.requestContactChange({
        idnat: '810001045367',
        email: 'nouveau@example.test',
        requestedBy: 'test',
      });
      assert.equal(change.effectiveAt, '2026-12-03T08:00:00.000Z');
      doctor = await directory.get('810001045367');
      assert.equal(doctor.contact.email, 'nom5@example.test', 'old address in force during the delay');
      assert.equal(doctor.contact.pending[0]?.email, 'nouveau@example.test');
      clock = new Date('2026-12-03T08:00:01Z');
      doctor = await directory.get('810001045367');
      assert.equal(doctor.contact.email, 'nouveau@example.test');
      assert.equal(doctor.contact.mobile, '0639980001', 'the mobile was not part of the change');

      // An extract that changes the address later applies at once and wins.
      clock = new Date('2026-12-04T08:00:00Z');
      const psc2 = writeExtract(dir, 'Extraction_ProSanteConnect_Personne_activite_202612040800.txt', [
        PSC_HEADER,
        doctorLine.replace('nom5@example.test', 'extrait@example.test'),
      ]);
      await directory.importExtracts([activite, psc2]);
      assert.equal((await directory.get('810001045367')).contact.email, 'extrait@example.test');
      await rejectsWith(
        directory.requestContactChange({ idnat: '810001045367', mobile: '0123', requestedBy: 'test' }),
        'DIRECTORY_INVALID_CONTACT',
      );
    });

    it('inactivates gone persons, refuses a snapshot that would inactivate too many unless forced', async () => {
      const onlyDoctor = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202612050800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.doctor,
      ]);
      clock = new Date('2026-12-05T08:00:00Z');
      await rejectsWith(
        directory.importExtracts([onlyDoctor]),
        'DIRECTORY_TOO_MANY_INACTIVATIONS',
        /1 personnes sur 2 actives \(50\.0 %, seuil 5\.0 %\)/,
      );
      assert.equal((await directory.get('0019200575')).active, true);
      const summary = await directory.importExtracts([onlyDoctor], { force: true });
      assert.equal(summary.persons.inactivated, 1);
      const gone = await directory.get('0019200575');
      assert.equal(gone.active, false);
      assert.equal(gone.inactivatedAt, '2026-12-05T08:00:00.000Z');
      assert.equal(gone.exercices[0]?.profession.code, '92', 'kept, never deleted');
      const back = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202612060800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.doctor,
        REAL_ROWS.orthoptist,
      ]);
      assert.equal((await directory.importExtracts([back])).persons.reactivated, 1);
      assert.equal((await directory.get('0019200575')).active, true);
    });

    it('searches by name prefix, profession, specialty, postcode and identifier', async () => {
      const names = (results: Array<{ nationalId: string }>) => results.map((r) => r.nationalId);
      assert.deepEqual(names(await directory.search({ name: 'nom' })), ['0019200575', '810001045367']);
      assert.deepEqual(names(await directory.search({ name: 'Nom5' })), ['810001045367']);
      assert.deepEqual(names(await directory.search({ name: 'nom', profession: '92' })), ['0019200575']);
      assert.deepEqual(names(await directory.search({ specialty: 'SM49' })), ['810001045367']);
      assert.deepEqual(names(await directory.search({ postcode: '01' })), ['0019200575']);
      assert.deepEqual(names(await directory.search({ postcode: '01390' })), ['0019200575']);
      assert.deepEqual(names(await directory.search({ id: '10001045367' })), ['810001045367']);
      const [doctor] = await directory.search({ id: '810001045367' });
      assert.equal(doctor?.professions[0]?.label, 'Médecin');
      await rejectsWith(directory.search({}), 'DIRECTORY_INVALID_SEARCH');
      await rejectsWith(directory.search({ name: 'n' }), 'DIRECTORY_INVALID_SEARCH');
      await rejectsWith(directory.get('810001045368'), 'DIRECTORY_INVALID_NATIONAL_ID');
      await rejectsWith(directory.get('899700218896'), 'DIRECTORY_PERSON_NOT_FOUND');
    });
  });
}
