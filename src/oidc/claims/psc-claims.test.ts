import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allMigrations } from '../../cli/system.ts';
import {
  createDirectory,
  type Directory,
  loadDemoDirectoryIfEmpty,
  nomenclatures,
  type Person,
} from '../../directory/index.ts';
import { defaults, migrate, openSqliteStore, type Store } from '../../platform/index.ts';
import {
  nationalIdFromSubject,
  PSC_SCOPE_ALL_CLAIMS,
  type PscActivity,
  type PscUserinfo,
  pscSubject,
  pscUserinfo,
} from './index.ts';

// Key lists of PSC.md's real userinfo document, in its order.
const TOP_KEYS = [
  'sub',
  'preferred_username',
  'SubjectNameID',
  'given_name',
  'family_name',
  'codeCivilite',
  'SubjectRole',
  'SubjectOrganization',
  'SubjectOrganizationID',
  'Secteur_Activite',
  'codeGenreActivite',
  'Mode_Acces_Raison',
  'Acces_Regulation_Medicale',
  'Palier_Authentification',
  'PSI_Locale',
  'UITVersion',
  'otherIds',
  'SubjectRefPro',
];
// The sample shows only `exercices`; PSC.md notes `codeCivilite` may appear there too.
const SUBJECT_REF_PRO_KEYS = ['codeCivilite', 'exercices'];
const EXERCICE_KEYS = [
  'codeProfession',
  'codeCategorieProfessionnelle',
  'codeCiviliteDexercice',
  'nomDexercice',
  'prenomDexercice',
  'codeTypeSavoirFaire',
  'codeSavoirFaire',
  'activities',
];
const ACTIVITY_KEYS = [
  'codeModeExercice',
  'codeSecteurDactivite',
  'codeSectionPharmacien',
  'codeRole',
  'codeGenreActivite',
  'numeroSiretSite',
  'numeroSirenSite',
  'numeroFinessSite',
  'numeroFinessetablissementJuridique',
  'identifiantTechniqueDeLaStructure',
  'raisonSocialeSite',
  'enseigneCommercialeSite',
  'complementDestinataire',
  'complementPointGeographique',
  'numeroVoie',
  'indiceRepetitionVoie',
  'codeTypeDeVoie',
  'libelleVoie',
  'mentionDistribution',
  'bureauCedex',
  'codePostal',
  'codeCommune',
  'codePays',
  'telephone',
  'telephone2',
  'telecopie',
  'adresseEMail',
  'codeDepartement',
  'ancienIdentifiantDeLaStructure',
  'autoriteDenregistrement',
];
const STRUCTURE_KEYS = ACTIVITY_KEYS.slice(ACTIVITY_KEYS.indexOf('numeroSiretSite'));

const DEPLOYMENT = '550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd';

// Values of the demo extract lines (Extraction_ProSanteConnect_…), except codeGenreActivite: see the
// genre test below.
type ExpectedActivity = Omit<PscActivity, 'codeGenreActivite'>;
const TILLEULS: ExpectedActivity = {
  codeModeExercice: 'L',
  codeSecteurDactivite: 'SA08',
  codeSectionPharmacien: '',
  codeRole: '',
  numeroSiretSite: '99900001100018',
  numeroSirenSite: '',
  numeroFinessSite: '',
  numeroFinessetablissementJuridique: '',
  identifiantTechniqueDeLaStructure: 'R10100099000001',
  raisonSocialeSite: 'CABINET MEDICAL DES TILLEULS',
  enseigneCommercialeSite: 'CABINET MEDICAL DES TILLEULS',
  complementDestinataire: '',
  complementPointGeographique: '',
  numeroVoie: '24',
  indiceRepetitionVoie: '',
  codeTypeDeVoie: 'R',
  libelleVoie: 'DES TILLEULS',
  mentionDistribution: '',
  bureauCedex: '75015 PARIS',
  codePostal: '75015',
  codeCommune: '75115',
  codePays: '99000',
  telephone: '0199000010',
  telephone2: '',
  telecopie: '0199000011',
  adresseEMail: 'secretariat.tilleuls@demo.caducee.test',
  codeDepartement: '75',
  ancienIdentifiantDeLaStructure: '399900001100018',
  autoriteDenregistrement: 'CNOM/CNOM/CNOM',
};
const MARTIN_SECONDARY: ExpectedActivity = {
  codeModeExercice: 'L',
  codeSecteurDactivite: 'SA07',
  codeSectionPharmacien: '',
  codeRole: '',
  numeroSiretSite: '',
  numeroSirenSite: '',
  numeroFinessSite: '',
  numeroFinessetablissementJuridique: '',
  identifiantTechniqueDeLaStructure: 'R10100099000002',
  raisonSocialeSite: 'CABINET DU DR CLAIRE MARTIN',
  enseigneCommercialeSite: '',
  complementDestinataire: 'CABINET SECONDAIRE',
  complementPointGeographique: '',
  numeroVoie: '7',
  indiceRepetitionVoie: '',
  codeTypeDeVoie: 'PL',
  libelleVoie: 'DES ACACIAS',
  mentionDistribution: '',
  bureauCedex: '75014 PARIS',
  codePostal: '75014',
  codeCommune: '75114',
  codePays: '99000',
  telephone: '0199000020',
  telephone2: '',
  telecopie: '',
  adresseEMail: '',
  codeDepartement: '75',
  ancienIdentifiantDeLaStructure: '499760000010001',
  autoriteDenregistrement: 'CNOM/CNOM/CNOM',
};
const CHU: ExpectedActivity = {
  codeModeExercice: 'S',
  codeSecteurDactivite: 'SA01',
  codeSectionPharmacien: '',
  codeRole: '',
  numeroSiretSite: '',
  numeroSirenSite: '',
  numeroFinessSite: '990001034',
  numeroFinessetablissementJuridique: '990005035',
  identifiantTechniqueDeLaStructure: 'R10100099000003',
  raisonSocialeSite: 'CENTRE HOSPITALIER UNIVERSITAIRE DES CONFLUENCES',
  enseigneCommercialeSite: 'CHU DES CONFLUENCES',
  complementDestinataire: '',
  complementPointGeographique: 'BATIMENT A',
  numeroVoie: '5',
  indiceRepetitionVoie: '',
  codeTypeDeVoie: 'PL',
  libelleVoie: "DE L'HOPITAL",
  mentionDistribution: 'CS 90001',
  bureauCedex: '69437 LYON CEDEX 03',
  codePostal: '69003',
  codeCommune: '69383',
  codePays: '99000',
  telephone: '0465710010',
  telephone2: '',
  telecopie: '0465710011',
  adresseEMail: '',
  codeDepartement: '69',
  ancienIdentifiantDeLaStructure: '1990001034',
  autoriteDenregistrement: 'CNOM/CNOM/CNOM',
};
const PHARMACIE_DU_MARCHE: ExpectedActivity = {
  codeModeExercice: 'L',
  codeSecteurDactivite: 'SA33',
  codeSectionPharmacien: 'A',
  codeRole: '',
  numeroSiretSite: '99900004500016',
  numeroSirenSite: '999000045',
  numeroFinessSite: '990001042',
  numeroFinessetablissementJuridique: '990005043',
  identifiantTechniqueDeLaStructure: 'R10100099000004',
  raisonSocialeSite: 'PHARMACIE DU MARCHE',
  enseigneCommercialeSite: 'PHARMACIE DU MARCHE',
  complementDestinataire: '',
  complementPointGeographique: '',
  numeroVoie: '18',
  indiceRepetitionVoie: '',
  codeTypeDeVoie: 'R',
  libelleVoie: 'DU MARCHE',
  mentionDistribution: '',
  bureauCedex: '13006 MARSEILLE',
  codePostal: '13006',
  codeCommune: '13206',
  codePays: '99000',
  telephone: '0465710020',
  telephone2: '',
  telecopie: '0465710021',
  adresseEMail: '',
  codeDepartement: '13',
  ancienIdentifiantDeLaStructure: '1990001042',
  autoriteDenregistrement: 'CNOP/CNOP/CNOP',
};

function withoutGenre(activity: PscActivity): ExpectedActivity {
  const { codeGenreActivite: _genre, ...rest } = activity;
  return rest;
}

function byStructure(userinfo: PscUserinfo): Map<string, ExpectedActivity> {
  const activities = userinfo.SubjectRefPro.exercices.flatMap((e) => e.activities);
  return new Map(activities.map((a) => [a.identifiantTechniqueDeLaStructure, withoutGenre(a)]));
}

/** Every leaf of a JSON-like value with its path. */
function* leaves(value: unknown, path = '$'): Generator<[string, unknown]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* leaves(item, `${path}[${index}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* leaves(item, `${path}.${key}`);
  } else {
    yield [path, value];
  }
}

function assertPscShape(userinfo: PscUserinfo): void {
  assert.deepEqual(Object.keys(userinfo), 'authMode' in userinfo ? [...TOP_KEYS, 'authMode'] : TOP_KEYS);
  assert.deepEqual(Object.keys(userinfo.SubjectRefPro), SUBJECT_REF_PRO_KEYS);
  assert.ok(userinfo.SubjectRefPro.exercices.length > 0);
  for (const exercice of userinfo.SubjectRefPro.exercices) {
    assert.deepEqual(Object.keys(exercice), EXERCICE_KEYS);
    assert.ok(exercice.activities.length > 0);
    for (const activity of exercice.activities) assert.deepEqual(Object.keys(activity), ACTIVITY_KEYS);
  }
  for (const other of userinfo.otherIds)
    assert.deepEqual(Object.keys(other), ['identifiant', 'origine', 'qualite']);
  for (const [path, leaf] of leaves(userinfo)) {
    if (path.endsWith('.qualite')) assert.equal(typeof leaf, 'number', path);
    else assert.equal(typeof leaf, 'string', path);
  }
}

describe('Pro Santé Connect claims', () => {
  let store: Store;
  let directory: Directory;
  const claimsOf = async (idnat: string, authMode?: string) =>
    pscUserinfo(await directory.get(idnat), { deploymentId: DEPLOYMENT, authMode });

  before(async () => {
    store = openSqliteStore(':memory:');
    await migrate(store, ...allMigrations(store));
    directory = createDirectory(store, defaults);
    await loadDemoDirectoryIfEmpty(directory);
  });
  after(() => store.close());

  it('writes and reads the Keycloak federated subject', () => {
    const sub = pscSubject(DEPLOYMENT, '899760000010');
    assert.equal(sub, `f:${DEPLOYMENT}:899760000010`);
    assert.equal(nationalIdFromSubject(sub), '899760000010');
    assert.equal(
      nationalIdFromSubject('f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:899700218896'),
      '899700218896',
    );
    for (const other of [
      '899760000010',
      'f:899760000010',
      `f:${DEPLOYMENT}:`,
      `x:${DEPLOYMENT}:899760000010`,
    ]) {
      assert.equal(nationalIdFromSubject(other), undefined, other);
    }
  });

  it('describes the liberal GP of the group practice as PSC does', async () => {
    const userinfo = await claimsOf('899760000010');
    assertPscShape(userinfo);
    assert.equal(userinfo.sub, `f:${DEPLOYMENT}:899760000010`);
    assert.equal(userinfo.preferred_username, '899760000010');
    assert.equal(userinfo.SubjectNameID, '899760000010');
    assert.equal(userinfo.given_name, 'Claire');
    assert.equal(userinfo.family_name, 'MARTIN');
    assert.equal(userinfo.codeCivilite, 'MME');
    assert.deepEqual(userinfo.SubjectRole, ['10^1.2.250.1.71.1.2.7']);
    assert.equal(userinfo.Mode_Acces_Raison, '');
    assert.equal(userinfo.Acces_Regulation_Medicale, 'FAUX');
    assert.equal(userinfo.Palier_Authentification, 'APPPRIP3^1.2.250.1.213.1.5.1.1.1');
    assert.equal(userinfo.PSI_Locale, '1.2.250.1.213.1.3.1.1');
    assert.equal(userinfo.UITVersion, '1.0');
    assert.deepEqual(userinfo.otherIds, [{ identifiant: '899760000010', origine: 'RPPS', qualite: 1 }]);
    assert.equal(userinfo.SubjectRefPro.codeCivilite, 'MME');
    const [exercice] = userinfo.SubjectRefPro.exercices;
    assert.deepEqual(
      { ...exercice, activities: undefined },
      {
        codeProfession: '10',
        codeCategorieProfessionnelle: 'C',
        codeCiviliteDexercice: 'DR',
        nomDexercice: 'MARTIN',
        prenomDexercice: 'Claire',
        codeTypeSavoirFaire: 'S',
        codeSavoirFaire: 'SM54',
        activities: undefined,
      },
    );
    assert.deepEqual(
      byStructure(userinfo),
      new Map([
        ['R10100099000001', TILLEULS],
        ['R10100099000002', MARTIN_SECONDARY],
      ]),
    );
    // The organisation is the first situation's, whichever order the directory keeps them in.
    const first = exercice!.activities[0]!;
    assert.equal(userinfo.SubjectOrganization, first.raisonSocialeSite);
    assert.equal(userinfo.SubjectOrganizationID, first.identifiantTechniqueDeLaStructure);
    assert.equal(userinfo.Secteur_Activite, `${first.codeSecteurDactivite}^1.2.250.1.71.4.2.4`);
    assert.equal(userinfo.codeGenreActivite, first.codeGenreActivite);
  });

  it('describes the salaried hospital doctor with the CHU', async () => {
    const userinfo = await claimsOf('899760000028');
    assertPscShape(userinfo);
    assert.equal(userinfo.given_name, 'Thomas');
    assert.equal(userinfo.family_name, 'BERNARD');
    assert.equal(userinfo.codeCivilite, 'M');
    assert.deepEqual(userinfo.SubjectRole, ['10^1.2.250.1.71.1.2.7']);
    assert.equal(userinfo.SubjectOrganization, 'CENTRE HOSPITALIER UNIVERSITAIRE DES CONFLUENCES');
    assert.equal(userinfo.SubjectOrganizationID, 'R10100099000003');
    assert.equal(userinfo.Secteur_Activite, 'SA01^1.2.250.1.71.4.2.4');
    const [exercice] = userinfo.SubjectRefPro.exercices;
    assert.equal(exercice?.codeSavoirFaire, 'SM04');
    assert.equal(exercice?.codeTypeSavoirFaire, 'S');
    assert.deepEqual(exercice?.activities.map(withoutGenre), [CHU]);
  });

  it('describes the community pharmacist with her officine and section', async () => {
    const userinfo = await claimsOf('899760000036');
    assertPscShape(userinfo);
    assert.equal(userinfo.given_name, 'Isabelle');
    assert.equal(userinfo.codeCivilite, 'MME');
    assert.deepEqual(userinfo.SubjectRole, ['21^1.2.250.1.71.1.2.7']);
    assert.equal(userinfo.SubjectOrganization, 'PHARMACIE DU MARCHE');
    assert.equal(userinfo.SubjectOrganizationID, 'R10100099000004');
    assert.equal(userinfo.Secteur_Activite, 'SA33^1.2.250.1.71.4.2.4');
    const [exercice] = userinfo.SubjectRefPro.exercices;
    assert.equal(exercice?.codeCiviliteDexercice, '');
    assert.equal(exercice?.codeTypeSavoirFaire, '');
    assert.equal(exercice?.codeSavoirFaire, '');
    assert.deepEqual(exercice?.activities.map(withoutGenre), [PHARMACIE_DU_MARCHE]);
  });

  it('lists the nurse’s ADELI-based identifier after her own', async () => {
    const userinfo = await claimsOf('899760000044');
    assertPscShape(userinfo);
    assert.deepEqual(userinfo.otherIds, [
      { identifiant: '899760000044', origine: 'RPPS', qualite: 1 },
      { identifiant: '0996001012', origine: 'ADELI', qualite: 1 },
    ]);
    assert.deepEqual(userinfo.SubjectRole, ['60^1.2.250.1.71.1.2.7']);
  });

  it('gives the ADELI-only psychologist one situation without structure', async () => {
    const userinfo = await claimsOf('0999301021');
    assertPscShape(userinfo);
    assert.equal(userinfo.preferred_username, '0999301021');
    assert.equal(userinfo.given_name, 'Julien');
    assert.equal(userinfo.family_name, 'ROUSSEAU');
    assert.deepEqual(userinfo.otherIds, [{ identifiant: '0999301021', origine: 'ADELI', qualite: 1 }]);
    assert.deepEqual(userinfo.SubjectRole, ['93^1.2.250.1.71.1.2.7']);
    assert.equal(userinfo.SubjectOrganization, '');
    assert.equal(userinfo.SubjectOrganizationID, '');
    assert.equal(userinfo.Secteur_Activite, '');
    assert.equal(userinfo.codeGenreActivite, '');
    const activities = userinfo.SubjectRefPro.exercices.flatMap((e) => e.activities);
    assert.ok(activities.length > 0);
    for (const activity of activities) {
      for (const key of STRUCTURE_KEYS) assert.equal(activity[key as keyof PscActivity], '', key);
    }
  });

  it('never emits null or undefined, for any demo professional', async () => {
    for (const idnat of await directory.activeIds(1000)) {
      const userinfo = await claimsOf(idnat, 'CARD');
      assertPscShape(userinfo);
      for (const [path, leaf] of leaves(userinfo)) {
        assert.ok(leaf !== null && leaf !== undefined, `${idnat} ${path}`);
      }
      // A JSON round trip must keep everything: nothing was undefined.
      assert.deepEqual(JSON.parse(JSON.stringify(userinfo)), userinfo);
    }
  });

  it('adds authMode only when given, and scope_all covers every claim but sub', async () => {
    const plain = await claimsOf('899760000010');
    assert.equal('authMode' in plain, false);
    const withMode = await claimsOf('899760000010', 'ECPS');
    assert.equal(withMode.authMode, 'ECPS');
    assert.deepEqual(Object.keys(withMode), [...TOP_KEYS, 'authMode']);
    assert.deepEqual(
      [...PSC_SCOPE_ALL_CLAIMS].sort(),
      Object.keys(withMode)
        .filter((key) => key !== 'sub')
        .sort(),
    );
  });

  it('writes the sector OID of the TRE_R02 table', async () => {
    const userinfo = await claimsOf('899760000028');
    const oid = nomenclatures.table('TRE_R02-SecteurActivite').oid;
    assert.equal(userinfo.Secteur_Activite.split('^')[1], oid);
  });

  it('carries the genre d’activité of the PSC extract (GENR01), absent from the 2021 public extract', async () => {
    const person: Person = await directory.get('899760000010');
    const userinfo = pscUserinfo(person, { deploymentId: DEPLOYMENT });
    assert.equal(userinfo.codeGenreActivite, 'GENR01');
  });
});
