/**
 * Writes the demo directory snapshot: the three PS_LibreAcces files and the Pro Santé Connect
 * extract, in the official formats (EXTRACTS.md §1–§2), plus the README that lists the demo
 * professionals. Deterministic: the same data gives the same bytes. Every identifier is checked
 * (Luhn key, length, fictitious range) and every code is looked up in the nomenclature tables
 * before anything is written; the written files are then read back and checked again.
 *
 *   node scripts/demo-extract.ts
 *
 * All people, numbers and addresses are fictitious: RPPS numbers in ANS's test range 997…,
 * ADELI and FINESS numbers in département 99, mobiles in the ARCEP fiction range 06 39 98,
 * landlines in the ARCEP fiction ranges, e-mails in the reserved `.test` domain.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_DIR = join(ROOT, 'src/directory/demo');
const OUT_DIR = join(DEMO_DIR, 'extracts');
const TABLES_DIR = join(ROOT, 'src/directory/nomenclatures/tables');
const STAMP = '202611250000';

const FILES = {
  activite: `PS_LibreAcces_Personne_activite_${STAMP}.txt`,
  savoirFaire: `PS_LibreAcces_SavoirFaire_${STAMP}.txt`,
  diplomes: `PS_LibreAcces_Dipl_AutExerc_${STAMP}.txt`,
  psc: `Extraction_ProSanteConnect_Personne_activite_${STAMP}.txt`,
} as const;

// ---------------------------------------------------------------------------------------------
// Headers, exactly as EXTRACTS.md gives them.

const ACTIVITE_HEADER = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Code civilité d'exercice",
  "Libellé civilité d'exercice",
  'Code civilité',
  'Libellé civilité',
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code profession',
  'Libellé profession',
  'Code catégorie professionnelle',
  'Libellé catégorie professionnelle',
  'Code type savoir-faire',
  'Libellé type savoir-faire',
  'Code savoir-faire',
  'Libellé savoir-faire',
  'Code mode exercice',
  'Libellé mode exercice',
  'Numéro SIRET site',
  'Numéro SIREN site',
  'Numéro FINESS site',
  'Numéro FINESS établissement juridique',
  'Identifiant technique de la structure',
  'Raison sociale site',
  'Enseigne commerciale site',
  'Complément destinataire (coord. structure)',
  'Complément point géographique (coord. structure)',
  'Numéro Voie (coord. structure)',
  'Indice répétition voie (coord. structure)',
  'Code type de voie (coord. structure)',
  'Libellé type de voie (coord. structure)',
  'Libellé Voie (coord. structure)',
  'Mention distribution (coord. structure)',
  'Bureau cedex (coord. structure)',
  'Code postal (coord. structure)',
  'Code commune (coord. structure)',
  'Libellé commune (coord. structure)',
  'Code pays (coord. structure)',
  'Libellé pays (coord. structure)',
  'Téléphone (coord. structure)',
  'Téléphone 2 (coord. structure)',
  'Télécopie (coord. structure)',
  'Adresse e-mail (coord. structure)',
  'Code Département (structure)',
  'Libellé Département (structure)',
  'Ancien identifiant de la structure',
  "Autorité d'enregistrement",
  "Code secteur d'activité",
  "Libellé secteur d'activité",
  'Code section tableau pharmaciens',
  'Libellé section tableau pharmaciens',
];

const SAVOIR_FAIRE_HEADER = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code profession',
  'Libellé profession',
  'Code catégorie professionnelle',
  'Libellé catégorie professionnelle',
  'Code type savoir-faire',
  'Libellé type savoir-faire',
  'Code savoir-faire',
  'Libellé savoir-faire',
];

const DIPLOMES_HEADER = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code type diplôme obtenu',
  'Libellé type diplôme obtenu',
  'Code diplôme obtenu',
  'Libellé diplôme obtenu',
  'Code type autorisation',
  'Libellé type autorisation',
  'Code discipline autorisation',
  'Libellé discipline autorisation',
];

const PSC_HEADER = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  'Nom de famille',
  'Prénoms',
  'Date de naissance',
  'Code commune de naissance',
  'Code pays de naissance',
  'Lieu de naissance',
  'Code sexe',
  'Téléphone (coord. correspondance)',
  'Adresse e-mail (coord. correspondance)',
  'Code civilité',
  'Code profession',
  'Code catégorie professionnelle',
  "Code civilité d'exercice",
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code type savoir-faire',
  'Code savoir-faire',
  'Code mode exercice',
  "Code secteur d'activité",
  'Code section tableau pharmaciens',
  'Code rôle',
  'Numéro SIRET site',
  'Numéro SIREN site',
  'Numéro FINESS site',
  'Numéro FINESS établissement juridique',
  'Identifiant technique de la structure',
  'Raison sociale site',
  'Enseigne commerciale site',
  'Complément destinataire (coord. structure)',
  'Complément point géographique (coord. structure)',
  'Numéro Voie (coord. structure)',
  'Indice répétition voie (coord. structure)',
  'Code type de voie (coord. structure)',
  'Libellé Voie (coord. structure)',
  'Mention distribution (coord. structure)',
  'Bureau cedex (coord. structure)',
  'Code postal (coord. structure)',
  'Code commune (coord. structure)',
  'Code pays (coord. structure)',
  'Téléphone (coord. structure)',
  'Téléphone 2 (coord. structure)',
  'Télécopie (coord. structure)',
  'Adresse e-mail (coord. structure)',
  'Code département (coord. structure)',
  'Ancien identifiant de la structure',
  "Autorité d'enregistrement",
  'Autres identifiants',
  "Code genre d'activité",
];

// ---------------------------------------------------------------------------------------------
// Identifiers.

function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function withLuhnKey(body: string): string {
  for (let key = 0; key <= 9; key++) if (luhnValid(`${body}${key}`)) return `${body}${key}`;
  throw new Error(`no Luhn key for ${body}`);
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`demo-extract: ${message}`);
}

/** RPPS: 11 digits in ANS's test range 997…, Luhn over the 11 digits. */
const rppsNumber = (order: number): string => withLuhnKey(`99760${pad(order, 5)}`);
/** ADELI: département 99 + ADELI profession code (2) + order (4) + key. */
const adeliNumber = (adeliProfession: string, order: number): string =>
  withLuhnKey(`99${adeliProfession}${pad(order, 4)}`);
const sirenNumber = (order: number): string => withLuhnKey(`9990${pad(order, 4)}`);
const siretNumber = (siren: string): string => withLuhnKey(`${siren}0001`);
const finessNumber = (order: number): string => withLuhnKey(`99${pad(order, 6)}`);
const structureTechnicalId = (order: number): string => `R10100099${pad(order, 6)}`;

const checks = {
  rpps: (v: string) => /^997\d{8}$/.test(v) && luhnValid(v),
  adeli: (v: string) => /^99\d{7}$/.test(v) && luhnValid(v),
  siren: (v: string) => /^\d{9}$/.test(v) && luhnValid(v),
  siret: (v: string) => /^\d{14}$/.test(v) && luhnValid(v),
  finess: (v: string) => /^99\d{7}$/.test(v) && luhnValid(v),
};

function checkNationalId(idType: string, idPP: string, idnat: string): void {
  if (idType === '8') assert(checks.rpps(idPP) && idnat === `8${idPP}`, `bad RPPS-based id ${idnat}`);
  else if (idType === '0') assert(checks.adeli(idPP) && idnat === `0${idPP}`, `bad ADELI-based id ${idnat}`);
  else assert(false, `unexpected identifier type ${idType}`);
}

// ---------------------------------------------------------------------------------------------
// Nomenclatures: every code written must exist in the tables the directory resolves labels with.

interface TableFile {
  concepts: Array<{ code: string; display: string }>;
}

function loadTable(name: string): Map<string, string> {
  const file = JSON.parse(readFileSync(join(TABLES_DIR, `${name}.json`), 'utf8')) as TableFile;
  return new Map(file.concepts.map((concept) => [concept.code, concept.display]));
}

const TABLES = {
  profession: new Map([...loadTable('TRE_G15-ProfessionSante'), ...loadTable('TRE_R95-UsagerTitre')]),
  specialite: loadTable('TRE_R38-SpecialiteOrdinale'),
  typeSavoirFaire: loadTable('TRE_R04-TypeSavoirFaire'),
  mode: loadTable('TRE_R23-ModeExercice'),
  secteur: loadTable('TRE_R02-SecteurActivite'),
  civiliteExercice: loadTable('TRE_R11-CiviliteExercice'),
  civilite: loadTable('TRE_R81-Civilite'),
  categorie: loadTable('TRE_R09-CategorieProfessionnelle'),
  genre: loadTable('TRE_R22-GenreActivite'),
};
type TableKey = keyof typeof TABLES;

function label(table: TableKey, code: string): string {
  const display = TABLES[table].get(code);
  assert(display !== undefined, `code ${code} is not in table ${table}`);
  return display;
}

/** R38 displays end with the kind of specialty ("Pédiatrie (SM)"); extracts print the bare label. */
const specialiteLabel = (code: string): string =>
  label('specialite', code).replace(/\s*\((SM|SCD|SI)\)$/, '');

/** Labels as extracts print them where they differ from the current table display. */
const MODE_LABELS: Record<string, string> = { L: 'Libéral', S: 'Salarié', B: 'Bénévole' };
const SECTION_PHARMACIEN: Record<string, string> = {
  A: "Pharmacien titulaire d'officine",
  D: "Pharmacien adjoint d'officine et autres exercices",
  H: 'Pharmacien des établissements de santé',
};
/** Registration authority per profession (Order or ARS), printed `X/X/X` as in the extracts. */
const AUTHORITIES: Record<string, string> = {
  '10': 'CNOM',
  '21': 'CNOP',
  '40': 'CNOCD',
  '50': 'CNOSF',
  '60': 'ONI',
  '70': 'CNOMK',
  '91': 'ARS',
  '93': 'ARS',
};

// ---------------------------------------------------------------------------------------------
// Places.

interface Town {
  codePostal: string;
  codeCommune: string;
  libelleCommune: string;
  bureau: string;
  departement: string;
}

const DEPARTEMENTS: Record<string, string> = {
  '13': 'Bouches-du-Rhône',
  '31': 'Haute-Garonne',
  '33': 'Gironde',
  '35': 'Ille-et-Vilaine',
  '59': 'Nord',
  '67': 'Bas-Rhin',
  '69': 'Rhône',
  '75': 'Paris',
};

const town = (codePostal: string, codeCommune: string, libelleCommune: string, bureau: string): Town => ({
  codePostal,
  codeCommune,
  libelleCommune,
  bureau,
  departement: codePostal.slice(0, 2),
});

const TOWNS = {
  paris12: town('75012', '75112', 'Paris 12e Arrondissement', 'PARIS'),
  paris14: town('75014', '75114', 'Paris 14e Arrondissement', 'PARIS'),
  paris15: town('75015', '75115', 'Paris 15e Arrondissement', 'PARIS'),
  lyon3: town('69003', '69383', 'Lyon 3e Arrondissement', 'LYON'),
  lyon4: town('69004', '69384', 'Lyon 4e Arrondissement', 'LYON'),
  marseille1: town('13001', '13201', 'Marseille 1er Arrondissement', 'MARSEILLE'),
  marseille6: town('13006', '13206', 'Marseille 6e Arrondissement', 'MARSEILLE'),
  bordeaux: town('33000', '33063', 'Bordeaux', 'BORDEAUX'),
  bordeauxBastide: town('33100', '33063', 'Bordeaux', 'BORDEAUX'),
  bordeauxSud: town('33800', '33063', 'Bordeaux', 'BORDEAUX'),
  lille: town('59000', '59350', 'Lille', 'LILLE'),
  toulouse: town('31000', '31555', 'Toulouse', 'TOULOUSE'),
  toulouseSud: town('31400', '31555', 'Toulouse', 'TOULOUSE'),
  rennes: town('35000', '35238', 'Rennes', 'RENNES'),
  strasbourg: town('67000', '67482', 'Strasbourg', 'STRASBOURG'),
};

const VOIES: Record<string, string> = {
  ALL: 'Allée',
  AV: 'Avenue',
  BD: 'Boulevard',
  CRS: 'Cours',
  PL: 'Place',
  QU: 'Quai',
  R: 'Rue',
};

/** ARCEP fiction ranges for landlines, by region (01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49). */
const LANDLINE_PREFIX: Record<string, string> = {
  '75': '0199000',
  '35': '0261910',
  '59': '0353010',
  '67': '0353010',
  '13': '0465710',
  '69': '0465710',
  '31': '0536490',
  '33': '0536490',
};

// ---------------------------------------------------------------------------------------------
// Structures.

interface StructureSpec {
  key: string;
  raisonSociale: string;
  enseigne?: string;
  complementDestinataire?: string;
  complementPointGeographique?: string;
  numeroVoie: string;
  indiceRepetitionVoie?: string;
  typeVoie: keyof typeof VOIES;
  libelleVoie: string;
  mentionDistribution?: string;
  /** Bureau cedex when it is not "<code postal> <town>". */
  bureauCedex?: string;
  town: Town;
  /** Which identifiers it has. `cabinetOf`: a cabinet known by its holder's RPPS number only. */
  siret?: boolean;
  siren?: boolean;
  finess?: boolean;
  cabinetOf?: string;
  fax?: boolean;
  email?: string;
}

const STRUCTURE_SPECS: StructureSpec[] = [
  {
    key: 'tilleuls',
    raisonSociale: 'CABINET MEDICAL DES TILLEULS',
    enseigne: 'CABINET MEDICAL DES TILLEULS',
    numeroVoie: '24',
    typeVoie: 'R',
    libelleVoie: 'DES TILLEULS',
    town: TOWNS.paris15,
    siret: true,
    fax: true,
    email: 'secretariat.tilleuls@demo.caducee.test',
  },
  {
    key: 'martin-secondaire',
    raisonSociale: 'CABINET DU DR CLAIRE MARTIN',
    complementDestinataire: 'CABINET SECONDAIRE',
    numeroVoie: '7',
    typeVoie: 'PL',
    libelleVoie: 'DES ACACIAS',
    town: TOWNS.paris14,
    cabinetOf: 'claire.martin',
  },
  {
    key: 'chu-confluences',
    raisonSociale: 'CENTRE HOSPITALIER UNIVERSITAIRE DES CONFLUENCES',
    enseigne: 'CHU DES CONFLUENCES',
    complementPointGeographique: 'BATIMENT A',
    numeroVoie: '5',
    typeVoie: 'PL',
    libelleVoie: "DE L'HOPITAL",
    mentionDistribution: 'CS 90001',
    bureauCedex: '69437 LYON CEDEX 03',
    town: TOWNS.lyon3,
    finess: true,
    fax: true,
  },
  {
    key: 'pharmacie-marche',
    raisonSociale: 'PHARMACIE DU MARCHE',
    enseigne: 'PHARMACIE DU MARCHE',
    numeroVoie: '18',
    typeVoie: 'R',
    libelleVoie: 'DU MARCHE',
    town: TOWNS.marseille6,
    siret: true,
    siren: true,
    finess: true,
    fax: true,
  },
  {
    key: 'infirmier-bordeaux',
    raisonSociale: 'CABINET INFIRMIER DES CHARTRONS',
    numeroVoie: '41',
    indiceRepetitionVoie: 'B',
    typeVoie: 'QU',
    libelleVoie: 'DES CHARTRONS',
    town: TOWNS.bordeaux,
    cabinetOf: 'sophie.dubois',
  },
  {
    key: 'msp-rennes',
    raisonSociale: 'MAISON DE SANTE PLURIPROFESSIONNELLE DE BEAUREGARD',
    enseigne: 'MSP DE BEAUREGARD',
    numeroVoie: '3',
    typeVoie: 'ALL',
    libelleVoie: 'DES CHARMILLES',
    town: TOWNS.rennes,
    siret: true,
    email: 'accueil.msp-beauregard@demo.caducee.test',
  },
  {
    key: 'dentaire-toulouse',
    raisonSociale: 'CABINET DENTAIRE DU CAPITOLE',
    numeroVoie: '12',
    typeVoie: 'R',
    libelleVoie: 'DES PENITENTS BLANCS',
    town: TOWNS.toulouse,
    siret: true,
  },
  {
    key: 'pediatre-strasbourg',
    raisonSociale: 'CABINET DU DR EMILIE SCHMITT',
    numeroVoie: '9',
    typeVoie: 'R',
    libelleVoie: 'DES TANNEURS',
    town: TOWNS.strasbourg,
    cabinetOf: 'emilie.schmitt',
  },
  {
    key: 'ophtalmo-lille',
    raisonSociale: 'SELARL OPHTALMOLOGIE LILLE CENTRE',
    enseigne: 'CENTRE OPHTALMOLOGIQUE DU BEFFROI',
    numeroVoie: '15',
    typeVoie: 'BD',
    libelleVoie: 'DE LA LIBERTE',
    town: TOWNS.lille,
    siret: true,
    siren: true,
    fax: true,
  },
  {
    key: 'ch-deule',
    raisonSociale: 'CENTRE HOSPITALIER DE LA DEULE',
    enseigne: 'CH DE LA DEULE',
    numeroVoie: '2',
    typeVoie: 'AV',
    libelleVoie: 'DU CANAL',
    mentionDistribution: 'CS 70020',
    bureauCedex: '59037 LILLE CEDEX',
    town: TOWNS.lille,
    finess: true,
    fax: true,
  },
  {
    key: 'clinique-roses',
    raisonSociale: 'CLINIQUE DES ROSES',
    enseigne: 'CLINIQUE DES ROSES',
    numeroVoie: '30',
    typeVoie: 'AV',
    libelleVoie: 'DES VOSGES',
    town: TOWNS.strasbourg,
    siret: true,
    finess: true,
    fax: true,
  },
  {
    key: 'dermato-paris',
    raisonSociale: 'CABINET DU DR SANDRINE NOEL',
    numeroVoie: '56',
    typeVoie: 'AV',
    libelleVoie: 'DAUMESNIL',
    town: TOWNS.paris12,
    siret: true,
  },
  {
    key: 'imagerie-bordeaux',
    raisonSociale: 'SELARL IMAGERIE MEDICALE DES QUAIS',
    enseigne: 'IMAGERIE DES QUAIS',
    numeroVoie: '101',
    typeVoie: 'CRS',
    libelleVoie: 'DE LA SOMME',
    town: TOWNS.bordeauxSud,
    siret: true,
    siren: true,
    fax: true,
  },
  {
    key: 'pharmacie-strasbourg',
    raisonSociale: 'PHARMACIE DES TROIS CHENES',
    enseigne: 'PHARMACIE DES TROIS CHENES',
    numeroVoie: '4',
    typeVoie: 'PL',
    libelleVoie: 'DES TROIS CHENES',
    town: TOWNS.strasbourg,
    siret: true,
    siren: true,
    finess: true,
  },
  {
    key: 'mg-toulouse',
    raisonSociale: 'CABINET DU DR JEAN-PIERRE ROBERT',
    numeroVoie: '88',
    typeVoie: 'AV',
    libelleVoie: "DE L'URSS",
    town: TOWNS.toulouseSud,
    siret: true,
  },
  {
    key: 'mg-bordeaux',
    raisonSociale: 'CABINET MEDICAL DE LA BASTIDE',
    numeroVoie: '6',
    typeVoie: 'R',
    libelleVoie: 'DES QUEYRIES',
    town: TOWNS.bordeauxBastide,
    siret: true,
  },
  {
    key: 'orthodontie-lyon',
    raisonSociale: "CABINET D'ORTHODONTIE DE LA CROIX-ROUSSE",
    numeroVoie: '14',
    typeVoie: 'BD',
    libelleVoie: 'DE LA CROIX-ROUSSE',
    town: TOWNS.lyon4,
    siret: true,
  },
  {
    key: 'kine-marseille',
    raisonSociale: 'CABINET DE KINESITHERAPIE DU VIEUX-PORT',
    numeroVoie: '27',
    typeVoie: 'QU',
    libelleVoie: 'DU PORT',
    town: TOWNS.marseille1,
    siret: true,
  },
  {
    key: 'infirmier-lille',
    raisonSociale: 'CABINET INFIRMIER DE WAZEMMES',
    numeroVoie: '31',
    typeVoie: 'R',
    libelleVoie: 'DES SARRAZINS',
    town: TOWNS.lille,
    cabinetOf: 'virginie.leclercq',
  },
  {
    key: 'infirmier-toulouse',
    raisonSociale: 'CABINET INFIRMIER DES MINIMES',
    numeroVoie: '63',
    typeVoie: 'BD',
    libelleVoie: 'DES MINIMES',
    town: TOWNS.toulouse,
    cabinetOf: 'aurelie.roussel',
  },
];

// ---------------------------------------------------------------------------------------------
// People. The order is the file order; the first seven are the scenarios the demos rely on.

type Contact = 'email+mobile' | 'email+mobile-intl' | 'email' | 'none';

interface SituationSpec {
  structure: string;
  mode: 'L' | 'S';
  secteur: string;
  section?: 'A' | 'D' | 'H';
}

interface DiplomaSpec {
  typeCode: string;
  typeLabel: string;
  code: string;
  label: string;
}

interface PersonSpec {
  /** A readable handle (`prenom.nom`), used for links between records and in the README. */
  key: string;
  register: 'RPPS' | 'ADELI';
  civilite: 'M' | 'MME';
  civiliteExercice: '' | 'DR' | 'PR';
  nom: string;
  /** Birth name when the name used in practice differs. */
  nomFamille?: string;
  prenoms: string[];
  naissance: string;
  /** Birth place: INSEE commune code (France) or empty, TRE_R20 country code, place label. */
  lieu: [string, string, string];
  profession: string;
  /** ADELI profession code (ADELI-internal) for ADELI numbers. */
  adeliProfession?: string;
  specialite?: string;
  situations: SituationSpec[];
  contact: Contact;
  /** An older ADELI-based national identifier held by an RPPS-identified person. */
  formerAdeli?: string;
  diplomas?: DiplomaSpec[];
  role: string;
}

const DE = (code: string, what: string): DiplomaSpec => ({
  typeCode: 'DE',
  typeLabel: "Diplôme d'Etat français",
  code,
  label: `Diplôme d'Etat de ${what}`,
});
const DES = (specialite: string): DiplomaSpec => ({
  typeCode: 'DES',
  typeLabel: "Diplôme d'études spécialisées",
  code: `DES${specialite.replace(/\D/g, '')}`,
  label: `DES ${specialiteLabel(specialite)}`,
});
const MEDECINE = DE('DE09', 'docteur en médecine');
const PHARMACIE = DE('DE10', 'docteur en pharmacie');
const DENTAIRE = DE('DE11', 'docteur en chirurgie dentaire');
const SAGE_FEMME = DE('DE12', 'sage-femme');
const INFIRMIER = DE('DE13', 'infirmier');
const KINE = DE('DE14', 'masseur-kinésithérapeute');
const ORTHOPHONIE: DiplomaSpec = {
  typeCode: 'CC',
  typeLabel: 'Certificat de capacité',
  code: 'CC01',
  label: "Certificat de capacité d'orthophoniste",
};

const PEOPLE: PersonSpec[] = [
  {
    key: 'claire.martin',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'MARTIN',
    prenoms: ['Claire', 'Hélène'],
    naissance: '14/03/1978',
    lieu: ['44109', '99000', 'NANTES'],
    profession: '10',
    specialite: 'SM54',
    situations: [
      { structure: 'tilleuls', mode: 'L', secteur: 'SA08' },
      { structure: 'martin-secondaire', mode: 'L', secteur: 'SA07' },
    ],
    contact: 'email+mobile',
    diplomas: [MEDECINE],
    role: 'Main demo GP: group practice (Cabinet médical des Tilleuls) plus a secondary cabinet; e-CPS activation without a card; espace médecin login',
  },
  {
    key: 'thomas.bernard',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'BERNARD',
    prenoms: ['Thomas', 'Jean'],
    naissance: '02/11/1975',
    lieu: ['69123', '99000', 'LYON'],
    profession: '10',
    specialite: 'SM04',
    situations: [{ structure: 'chu-confluences', mode: 'S', secteur: 'SA01' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM04')],
    role: 'Hospital doctor (salaried, CHU with FINESS site and EJ); CIBA / hospital relying-party demos',
  },
  {
    key: 'isabelle.petit',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'PETIT',
    prenoms: ['Isabelle'],
    naissance: '21/06/1970',
    lieu: ['13055', '99000', 'MARSEILLE'],
    profession: '21',
    situations: [{ structure: 'pharmacie-marche', mode: 'L', secteur: 'SA33', section: 'A' }],
    contact: 'email+mobile',
    diplomas: [PHARMACIE],
    role: "Community pharmacist, titulaire d'officine (section A); pharmacist relying-party filters",
  },
  {
    key: 'sophie.dubois',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'DUBOIS',
    prenoms: ['Sophie', 'Anne'],
    naissance: '09/01/1984',
    lieu: ['33063', '99000', 'BORDEAUX'],
    profession: '60',
    adeliProfession: '60',
    situations: [{ structure: 'infirmier-bordeaux', mode: 'L', secteur: 'SA08' }],
    contact: 'email+mobile',
    formerAdeli: '60',
    diplomas: [INFIRMIER],
    role: 'Liberal nurse holding an RPPS-based and an older ADELI-based national id (linked through Autres identifiants); identifier-change demo',
  },
  {
    key: 'julien.rousseau',
    register: 'ADELI',
    civilite: 'M',
    civiliteExercice: '',
    nom: 'ROUSSEAU',
    prenoms: ['Julien'],
    naissance: '30/07/1988',
    lieu: ['35238', '99000', 'RENNES'],
    profession: '93',
    adeliProfession: '93',
    situations: [],
    contact: 'email+mobile',
    role: 'Psychologist known only by ADELI, no practice location ("absence de lieu d\'exercice"); cannot activate an e-CPS without a card',
  },
  {
    key: 'antoine.lefebvre',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'LEFEBVRE',
    prenoms: ['Antoine', 'Louis'],
    naissance: '17/05/1966',
    lieu: ['59350', '99000', 'LILLE'],
    profession: '10',
    specialite: 'SM54',
    situations: [{ structure: 'tilleuls', mode: 'L', secteur: 'SA08' }],
    contact: 'email',
    diplomas: [MEDECINE],
    role: 'GP in the Tilleuls group practice with an e-mail but no correspondence mobile (activation without a card refused: no SMS possible)',
  },
  {
    key: 'laurent.morel',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: '',
    nom: 'MOREL',
    prenoms: ['Laurent'],
    naissance: '04/12/1972',
    lieu: ['29019', '99000', 'BREST'],
    profession: '70',
    situations: [{ structure: 'msp-rennes', mode: 'L', secteur: 'SA52' }],
    contact: 'none',
    diplomas: [KINE],
    role: 'Physiotherapist with neither e-mail nor mobile (card-only activation)',
  },
  {
    key: 'camille.fournier',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'FOURNIER',
    prenoms: ['Camille', 'Marie'],
    naissance: '25/09/1990',
    lieu: ['75056', '99000', 'PARIS'],
    profession: '10',
    specialite: 'SM54',
    situations: [{ structure: 'tilleuls', mode: 'L', secteur: 'SA08' }],
    contact: 'email+mobile-intl',
    diplomas: [MEDECINE],
    role: 'Third GP of the Tilleuls group practice; mobile in international form (0033…)',
  },
  {
    key: 'philippe.garnier',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'PR',
    nom: 'GARNIER',
    prenoms: ['Philippe', 'André'],
    naissance: '11/02/1961',
    lieu: ['21231', '99000', 'DIJON'],
    profession: '10',
    specialite: 'SM27',
    situations: [{ structure: 'chu-confluences', mode: 'S', secteur: 'SA01' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM27')],
    role: "Professor (civilité d'exercice PR), internal medicine at the CHU",
  },
  {
    key: 'emilie.schmitt',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'SCHMITT',
    nomFamille: 'HOFFMANN',
    prenoms: ['Émilie', 'Christine'],
    naissance: '08/08/1982',
    lieu: ['68066', '99000', 'COLMAR'],
    profession: '10',
    specialite: 'SM40',
    situations: [{ structure: 'pediatre-strasbourg', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM40')],
    role: 'Liberal paediatrician; practice name differs from birth name (SCHMITT née HOFFMANN); accented given name',
  },
  {
    key: 'hugo.delattre',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'DELATTRE',
    prenoms: ['Hugo'],
    naissance: '19/04/1979',
    lieu: ['80021', '99000', 'AMIENS'],
    profession: '10',
    specialite: 'SM38',
    situations: [{ structure: 'ophtalmo-lille', mode: 'L', secteur: 'SA09' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM38')],
    role: 'Ophthalmologist practising in a company (SELARL, SA09)',
  },
  {
    key: 'anne.vasseur',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'VASSEUR',
    prenoms: ['Anne', 'Sophie'],
    naissance: '03/10/1973',
    lieu: ['59512', '99000', 'ROUBAIX'],
    profession: '10',
    specialite: 'SM42',
    situations: [{ structure: 'ch-deule', mode: 'S', secteur: 'SA01' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM42')],
    role: 'Salaried psychiatrist in a general hospital (CH)',
  },
  {
    key: 'nicolas.fabre',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'FABRE',
    prenoms: ['Nicolas'],
    naissance: '27/01/1980',
    lieu: ['31555', '99000', 'TOULOUSE'],
    profession: '40',
    situations: [{ structure: 'dentaire-toulouse', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [DENTAIRE],
    role: 'Dentist without specialty',
  },
  {
    key: 'elodie.legall',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'LE GALL',
    prenoms: ['Élodie'],
    naissance: '12/12/1987',
    lieu: ['29232', '99000', 'QUIMPER'],
    profession: '50',
    situations: [{ structure: 'msp-rennes', mode: 'L', secteur: 'SA52' }],
    contact: 'email+mobile',
    diplomas: [SAGE_FEMME],
    role: 'Liberal midwife in a maison de santé; family name with a space',
  },
  {
    key: 'sebastien.blanc',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: '',
    nom: 'BLANC',
    prenoms: ['Sébastien'],
    naissance: '06/06/1985',
    lieu: ['83137', '99000', 'TOULON'],
    profession: '70',
    situations: [{ structure: 'kine-marseille', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [KINE],
    role: 'Liberal physiotherapist',
  },
  {
    key: 'celine.brun',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'BRUN',
    prenoms: ['Céline'],
    naissance: '15/03/1981',
    lieu: ['38185', '99000', 'GRENOBLE'],
    profession: '21',
    situations: [{ structure: 'chu-confluences', mode: 'S', secteur: 'SA01', section: 'H' }],
    contact: 'email+mobile',
    diplomas: [PHARMACIE],
    role: 'Hospital pharmacist (SA01, section H)',
  },
  {
    key: 'julie.chevalier',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'CHEVALIER',
    prenoms: ['Julie'],
    naissance: '22/08/1992',
    lieu: ['69123', '99000', 'LYON'],
    profession: '60',
    situations: [{ structure: 'chu-confluences', mode: 'S', secteur: 'SA01' }],
    contact: 'email+mobile',
    diplomas: [INFIRMIER],
    role: 'Salaried hospital nurse',
  },
  {
    key: 'marion.roche',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'ROCHE',
    prenoms: ['Marion'],
    naissance: '18/05/1989',
    lieu: ['64445', '99000', 'PAU'],
    profession: '60',
    situations: [{ structure: 'infirmier-bordeaux', mode: 'L', secteur: 'SA08' }],
    contact: 'email+mobile',
    diplomas: [INFIRMIER],
    role: 'Liberal nurse sharing the Chartrons nursing cabinet with Sophie Dubois',
  },
  {
    key: 'mathieu.gautier',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: '',
    nom: 'GAUTIER',
    prenoms: ['Mathieu'],
    naissance: '01/09/1991',
    lieu: ['13055', '99000', 'MARSEILLE'],
    profession: '21',
    situations: [{ structure: 'pharmacie-marche', mode: 'S', secteur: 'SA33', section: 'D' }],
    contact: 'email+mobile',
    diplomas: [PHARMACIE],
    role: 'Salaried assistant pharmacist (section D) in the same officine as Isabelle Petit',
  },
  {
    key: 'jean-pierre.robert',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'ROBERT',
    prenoms: ['Jean-Pierre'],
    naissance: '10/10/1958',
    lieu: ['34172', '99000', 'MONTPELLIER'],
    profession: '10',
    specialite: 'SM54',
    situations: [{ structure: 'mg-toulouse', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE],
    role: 'GP in an individual cabinet; hyphenated given name',
  },
  {
    key: 'francois.durand',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'DURAND',
    prenoms: ['François', 'Xavier'],
    naissance: '23/04/1963',
    lieu: ['87085', '99000', 'LIMOGES'],
    profession: '10',
    specialite: 'SM54',
    situations: [{ structure: 'mg-bordeaux', mode: 'L', secteur: 'SA07' }],
    contact: 'none',
    diplomas: [MEDECINE],
    role: 'GP with neither e-mail nor mobile',
  },
  {
    key: 'caroline.klein',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'KLEIN',
    prenoms: ['Caroline'],
    naissance: '29/06/1976',
    lieu: ['67482', '99000', 'STRASBOURG'],
    profession: '10',
    specialite: 'SM20',
    situations: [{ structure: 'clinique-roses', mode: 'L', secteur: 'SA04' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM20')],
    role: 'Obstetrician-gynaecologist, liberal in a private clinic (SA04)',
  },
  {
    key: 'olivier.weber',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'WEBER',
    prenoms: ['Olivier'],
    naissance: '13/01/1969',
    lieu: ['68224', '99000', 'MULHOUSE'],
    profession: '10',
    specialite: 'SM02',
    situations: [{ structure: 'clinique-roses', mode: 'L', secteur: 'SA04' }],
    contact: 'email',
    diplomas: [MEDECINE, DES('SM02')],
    role: 'Anaesthetist in the same private clinic; e-mail but no mobile',
  },
  {
    key: 'sandrine.noel',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'NOEL',
    prenoms: ['Sandrine'],
    naissance: '05/02/1977',
    lieu: ['', '99131', 'BRUXELLES'],
    profession: '10',
    specialite: 'SM15',
    situations: [{ structure: 'dermato-paris', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [
      {
        typeCode: 'UE',
        typeLabel: "Diplôme de l'Union européenne",
        code: 'UE09',
        label: 'Diplôme de docteur en médecine (Belgique)',
      },
    ],
    role: 'Dermatologist born abroad (Belgium, no INSEE commune) with an EU diploma',
  },
  {
    key: 'guillaume.perrin',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'PERRIN',
    prenoms: ['Guillaume'],
    naissance: '16/11/1974',
    lieu: ['37261', '99000', 'TOURS'],
    profession: '10',
    specialite: 'SM44',
    situations: [{ structure: 'imagerie-bordeaux', mode: 'L', secteur: 'SA09' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM44')],
    role: 'Radiologist in an imaging company (SELARL)',
  },
  {
    key: 'lea.bonnet',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'BONNET',
    prenoms: ['Léa'],
    naissance: '07/03/1993',
    lieu: ['56260', '99000', 'VANNES'],
    profession: '91',
    situations: [{ structure: 'msp-rennes', mode: 'L', secteur: 'SA52' }],
    contact: 'email+mobile',
    diplomas: [ORTHOPHONIE],
    role: 'Speech therapist (registered by the ARS) in the maison de santé',
  },
  {
    key: 'manon.giraud',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'GIRAUD',
    prenoms: ['Manon'],
    naissance: '20/02/1990',
    lieu: ['69123', '99000', 'LYON'],
    profession: '50',
    situations: [{ structure: 'chu-confluences', mode: 'S', secteur: 'SA01' }],
    contact: 'email+mobile',
    diplomas: [SAGE_FEMME],
    role: 'Salaried hospital midwife',
  },
  {
    key: 'arnaud.masson',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: 'DR',
    nom: 'MASSON',
    prenoms: ['Arnaud'],
    naissance: '31/08/1971',
    lieu: ['51454', '99000', 'REIMS'],
    profession: '40',
    specialite: 'SCD01',
    situations: [{ structure: 'orthodontie-lyon', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [DENTAIRE],
    role: 'Orthodontist (dental specialty SCD01)',
  },
  {
    key: 'helene.dumas',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: 'DR',
    nom: 'DUMAS',
    prenoms: ['Hélène'],
    naissance: '24/07/1983',
    lieu: ['14118', '99000', 'CAEN'],
    profession: '10',
    specialite: 'SM40',
    situations: [{ structure: 'ch-deule', mode: 'S', secteur: 'SA01' }],
    contact: 'email+mobile',
    diplomas: [MEDECINE, DES('SM40')],
    role: 'Salaried hospital paediatrician (same specialty as Émilie Schmitt, for search tests)',
  },
  {
    key: 'pauline.andre',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'ANDRE',
    prenoms: ['Pauline'],
    naissance: '11/04/1994',
    lieu: ['49007', '99000', 'ANGERS'],
    profession: '70',
    situations: [{ structure: 'chu-confluences', mode: 'S', secteur: 'SA01' }],
    contact: 'email',
    diplomas: [KINE],
    role: 'Salaried hospital physiotherapist; e-mail but no mobile',
  },
  {
    key: 'marc.muller',
    register: 'RPPS',
    civilite: 'M',
    civiliteExercice: '',
    nom: 'MULLER',
    prenoms: ['Marc', 'Joseph'],
    naissance: '02/12/1968',
    lieu: ['57463', '99000', 'METZ'],
    profession: '21',
    situations: [{ structure: 'pharmacie-strasbourg', mode: 'L', secteur: 'SA33', section: 'A' }],
    contact: 'email+mobile',
    diplomas: [PHARMACIE],
    role: "Second community pharmacist, titulaire d'officine",
  },
  {
    key: 'virginie.leclercq',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'LECLERCQ',
    prenoms: ['Virginie'],
    naissance: '15/10/1986',
    lieu: ['59350', '99000', 'LILLE'],
    profession: '60',
    situations: [{ structure: 'infirmier-lille', mode: 'L', secteur: 'SA07' }],
    contact: 'email',
    diplomas: [INFIRMIER],
    role: 'Liberal nurse, individual cabinet; e-mail but no mobile',
  },
  {
    key: 'aurelie.roussel',
    register: 'RPPS',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'ROUSSEL',
    prenoms: ['Aurélie'],
    naissance: '28/02/1980',
    lieu: ['31555', '99000', 'TOULOUSE'],
    profession: '60',
    situations: [{ structure: 'infirmier-toulouse', mode: 'L', secteur: 'SA07' }],
    contact: 'email+mobile',
    diplomas: [INFIRMIER],
    role: 'Liberal nurse, individual cabinet',
  },
  {
    key: 'nathalie.carpentier',
    register: 'ADELI',
    civilite: 'MME',
    civiliteExercice: '',
    nom: 'CARPENTIER',
    prenoms: ['Nathalie'],
    naissance: '19/09/1979',
    lieu: ['06088', '99000', 'NICE'],
    profession: '93',
    adeliProfession: '93',
    situations: [],
    contact: 'email',
    role: 'Second psychologist known only by ADELI, no practice location; e-mail but no mobile',
  },
];

// ---------------------------------------------------------------------------------------------
// Building the records.

interface Identity {
  idType: '8' | '0';
  idPP: string;
  idnat: string;
}

interface Structure {
  spec: StructureSpec;
  siret: string;
  siren: string;
  finess: string;
  finessEJ: string;
  techId: string;
  ancienId: string;
  telephone: string;
  telecopie: string;
}

interface Person {
  spec: PersonSpec;
  order: number;
  /** The main identifier (RPPS-based, or ADELI-based for ADELI-only persons). */
  main: Identity;
  /** The older ADELI-based identifier of an RPPS-identified person. */
  former?: Identity;
  email: string;
  mobile: string;
}

const ascii = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z-]/g, '');

function buildPeople(): Person[] {
  let adeliOrder = 100;
  const seen = new Set<string>();
  return PEOPLE.map((spec, index): Person => {
    const order = index + 1;
    assert(!seen.has(spec.key), `duplicate person key ${spec.key}`);
    seen.add(spec.key);
    const adeli = (code: string | undefined): Identity => {
      assert(code, `${spec.key}: ADELI profession code missing`);
      adeliOrder += 1;
      const number = adeliNumber(code, adeliOrder);
      return { idType: '0', idPP: number, idnat: `0${number}` };
    };
    let main: Identity;
    if (spec.register === 'RPPS') {
      const number = rppsNumber(order);
      main = { idType: '8', idPP: number, idnat: `8${number}` };
    } else {
      main = adeli(spec.adeliProfession);
    }
    const former = spec.formerAdeli ? adeli(spec.formerAdeli) : undefined;
    const hasEmail = spec.contact !== 'none';
    const line = `639980${pad(order, 3)}`;
    const mobile =
      spec.contact === 'email+mobile'
        ? `0${line}`
        : spec.contact === 'email+mobile-intl'
          ? `0033${line}`
          : '';
    const email = hasEmail ? `${ascii(spec.prenoms[0]!)}.${ascii(spec.nom)}@demo.caducee.test` : '';
    return { spec, order, main, ...(former ? { former } : {}), email, mobile };
  });
}

function buildStructures(people: Person[]): Map<string, Structure> {
  const byKey = new Map<string, Structure>();
  const phoneOrder: Record<string, number> = {};
  STRUCTURE_SPECS.forEach((spec, index) => {
    const order = index + 1;
    assert(!byKey.has(spec.key), `duplicate structure key ${spec.key}`);
    const siren = spec.siret || spec.siren ? sirenNumber(order) : '';
    const siret = spec.siret ? siretNumber(siren) : '';
    const finess = spec.finess ? finessNumber(100 + order) : '';
    // Hospitals and clinics belong to a legal entity with its own FINESS number; officines are
    // their own legal entity in FINESS terms and print the EJ too.
    const finessEJ = spec.finess ? finessNumber(500 + order) : '';
    let ancienId: string;
    if (finess) ancienId = `1${finess}`;
    else if (siret) ancienId = `3${siret}`;
    else {
      const holder = people.find((person) => person.spec.key === spec.cabinetOf);
      assert(holder && holder.main.idType === '8', `${spec.key}: cabinet holder ${spec.cabinetOf} not found`);
      ancienId = `4${holder.main.idPP}001`;
    }
    const departement = spec.town.departement;
    const prefix = LANDLINE_PREFIX[departement];
    assert(prefix, `no landline range for ${departement}`);
    phoneOrder[prefix] = (phoneOrder[prefix] ?? 0) + 10;
    const telephone = `${prefix}${pad(phoneOrder[prefix], 3)}`;
    const telecopie = spec.fax ? `${prefix}${pad(phoneOrder[prefix] + 1, 3)}` : '';
    byKey.set(spec.key, {
      spec,
      siret,
      siren: spec.siren ? siren : '',
      finess,
      finessEJ,
      techId: structureTechnicalId(order),
      ancienId,
      telephone,
      telecopie,
    });
  });
  return byKey;
}

type Row = Record<string, string>;

/** The structure columns of a line, for the public (`labels`) or the PSC header. */
function structureColumns(structure: Structure | undefined, profession: string, labels: boolean): Row {
  if (!structure) return {};
  const s = structure.spec;
  const authority = AUTHORITIES[profession];
  assert(authority, `no registration authority for profession ${profession}`);
  const row: Row = {
    'Numéro SIRET site': structure.siret,
    'Numéro SIREN site': structure.siren,
    'Numéro FINESS site': structure.finess,
    'Numéro FINESS établissement juridique': structure.finessEJ,
    'Identifiant technique de la structure': structure.techId,
    'Raison sociale site': s.raisonSociale,
    'Enseigne commerciale site': s.enseigne ?? '',
    'Complément destinataire (coord. structure)': s.complementDestinataire ?? '',
    'Complément point géographique (coord. structure)': s.complementPointGeographique ?? '',
    'Numéro Voie (coord. structure)': s.numeroVoie,
    'Indice répétition voie (coord. structure)': s.indiceRepetitionVoie ?? '',
    'Code type de voie (coord. structure)': s.typeVoie,
    'Libellé Voie (coord. structure)': s.libelleVoie,
    'Mention distribution (coord. structure)': s.mentionDistribution ?? '',
    'Bureau cedex (coord. structure)': s.bureauCedex ?? `${s.town.codePostal} ${s.town.bureau}`,
    'Code postal (coord. structure)': s.town.codePostal,
    'Code commune (coord. structure)': s.town.codeCommune,
    'Code pays (coord. structure)': '99000',
    'Téléphone (coord. structure)': structure.telephone,
    'Téléphone 2 (coord. structure)': '',
    'Télécopie (coord. structure)': structure.telecopie,
    'Adresse e-mail (coord. structure)': s.email ?? '',
    'Ancien identifiant de la structure': structure.ancienId,
    "Autorité d'enregistrement": `${authority}/${authority}/${authority}`,
  };
  if (labels) {
    const departement = DEPARTEMENTS[s.town.departement];
    assert(departement, `no label for département ${s.town.departement}`);
    Object.assign(row, {
      'Libellé type de voie (coord. structure)': VOIES[s.typeVoie],
      'Libellé commune (coord. structure)': s.town.libelleCommune,
      'Libellé pays (coord. structure)': 'France',
      'Code Département (structure)': s.town.departement,
      'Libellé Département (structure)': departement,
    });
  } else {
    row['Code département (coord. structure)'] = s.town.departement;
  }
  return row;
}

interface Line {
  person: Person;
  identity: Identity;
  situation: SituationSpec | undefined;
}

/** One line per (identifier × practice situation); an identifier without one gets one bare line. */
function linesOf(person: Person): Line[] {
  const lines: Line[] = [];
  const situations = person.spec.situations;
  if (situations.length === 0) lines.push({ person, identity: person.main, situation: undefined });
  for (const situation of situations) lines.push({ person, identity: person.main, situation });
  // The older ADELI-based identifier carries no practice location (as real ADELI lines of
  // professionals moved to RPPS).
  if (person.former) lines.push({ person, identity: person.former, situation: undefined });
  return lines;
}

function identityColumns(identity: Identity): Row {
  return {
    "Type d'identifiant PP": identity.idType,
    'Identifiant PP': identity.idPP,
    'Identification nationale PP': identity.idnat,
  };
}

function activiteRow(line: Line, structures: Map<string, Structure>): Row {
  const { spec } = line.person;
  const { situation } = line;
  const structure = situation ? structures.get(situation.structure) : undefined;
  assert(!situation || structure, `${spec.key}: unknown structure ${situation?.structure}`);
  const row: Row = {
    ...identityColumns(line.identity),
    "Code civilité d'exercice": spec.civiliteExercice,
    "Libellé civilité d'exercice": spec.civiliteExercice
      ? label('civiliteExercice', spec.civiliteExercice)
      : '',
    'Code civilité': spec.civilite,
    'Libellé civilité': label('civilite', spec.civilite),
    "Nom d'exercice": spec.nom,
    "Prénom d'exercice": spec.prenoms[0]!,
    'Code profession': spec.profession,
    'Libellé profession': label('profession', spec.profession),
    'Code catégorie professionnelle': 'C',
    'Libellé catégorie professionnelle': label('categorie', 'C'),
  };
  if (spec.specialite && line.identity === line.person.main) {
    Object.assign(row, {
      'Code type savoir-faire': 'S',
      'Libellé type savoir-faire': label('typeSavoirFaire', 'S'),
      'Code savoir-faire': spec.specialite,
      'Libellé savoir-faire': specialiteLabel(spec.specialite),
    });
  }
  if (situation) {
    Object.assign(row, {
      'Code mode exercice': situation.mode,
      'Libellé mode exercice': MODE_LABELS[situation.mode],
      "Code secteur d'activité": situation.secteur,
      "Libellé secteur d'activité": label('secteur', situation.secteur),
      'Code section tableau pharmaciens': situation.section ?? '',
      'Libellé section tableau pharmaciens': situation.section ? SECTION_PHARMACIEN[situation.section] : '',
      ...structureColumns(structure, spec.profession, true),
    });
  }
  return row;
}

function otherIds(line: Line): string {
  const { person, identity } = line;
  const type = (id: Identity) => (id.idType === '8' ? 'RPPS' : 'ADELI');
  const ids = [identity];
  // The RPPS-based record lists the ADELI-based identifier(s) it replaced.
  if (identity === person.main && person.former) ids.push(person.former);
  return ids.map((id) => `${id.idnat},${type(id)},1`).join(';');
}

function pscRow(line: Line, structures: Map<string, Structure>): Row {
  const { spec } = line.person;
  const { situation } = line;
  const structure = situation ? structures.get(situation.structure) : undefined;
  const [communeNaissance, paysNaissance, lieuNaissance] = spec.lieu;
  const row: Row = {
    ...identityColumns(line.identity),
    'Nom de famille': spec.nomFamille ?? spec.nom,
    Prénoms: spec.prenoms.join("'"),
    'Date de naissance': spec.naissance,
    'Code commune de naissance': communeNaissance,
    'Code pays de naissance': paysNaissance,
    'Lieu de naissance': lieuNaissance,
    'Code sexe': spec.civilite === 'M' ? 'M' : 'F',
    'Téléphone (coord. correspondance)': line.person.mobile,
    'Adresse e-mail (coord. correspondance)': line.person.email,
    'Code civilité': spec.civilite,
    'Code profession': spec.profession,
    'Code catégorie professionnelle': 'C',
    "Code civilité d'exercice": spec.civiliteExercice,
    "Nom d'exercice": spec.nom,
    "Prénom d'exercice": spec.prenoms[0]!,
    'Autres identifiants': otherIds(line),
  };
  if (spec.specialite && line.identity === line.person.main) {
    Object.assign(row, { 'Code type savoir-faire': 'S', 'Code savoir-faire': spec.specialite });
  }
  if (situation) {
    Object.assign(row, {
      'Code mode exercice': situation.mode,
      "Code secteur d'activité": situation.secteur,
      'Code section tableau pharmaciens': situation.section ?? '',
      'Code rôle': '',
      ...structureColumns(structure, spec.profession, false),
      "Code genre d'activité": 'GENR01',
    });
  }
  return row;
}

function savoirFaireRows(person: Person): Row[] {
  const { spec } = person;
  if (!spec.specialite) return [];
  return [
    {
      ...identityColumns(person.main),
      "Nom d'exercice": spec.nom,
      "Prénom d'exercice": spec.prenoms[0]!,
      'Code profession': spec.profession,
      'Libellé profession': label('profession', spec.profession),
      'Code catégorie professionnelle': 'C',
      'Libellé catégorie professionnelle': label('categorie', 'C'),
      'Code type savoir-faire': 'S',
      'Libellé type savoir-faire': label('typeSavoirFaire', 'S'),
      'Code savoir-faire': spec.specialite,
      'Libellé savoir-faire': specialiteLabel(spec.specialite),
    },
  ];
}

function diplomeRows(person: Person): Row[] {
  const { spec } = person;
  return (spec.diplomas ?? []).map((diploma) => ({
    ...identityColumns(person.main),
    "Nom d'exercice": spec.nom,
    "Prénom d'exercice": spec.prenoms[0]!,
    'Code type diplôme obtenu': diploma.typeCode,
    'Libellé type diplôme obtenu': diploma.typeLabel,
    'Code diplôme obtenu': diploma.code,
    'Libellé diplôme obtenu': diploma.label,
  }));
}

// ---------------------------------------------------------------------------------------------
// Writing and checking.

function serialize(header: string[], rows: Row[]): string {
  const known = new Set(header);
  const lines = [
    header,
    ...rows.map((row) => {
      for (const key of Object.keys(row)) assert(known.has(key), `column "${key}" is not in the header`);
      return header.map((column) => row[column] ?? '');
    }),
  ];
  return lines
    .map((fields) => {
      for (const field of fields) assert(!/[|\r\n]/.test(field), `field "${field}" holds a separator`);
      return `${fields.join('|')}|\n`;
    })
    .join('');
}

/** Reads a written file back: no BOM, LF only, trailing `|`, header-sized rows. */
function readBack(file: string, header: string[]): Row[] {
  const bytes = readFileSync(join(OUT_DIR, file));
  assert(!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf), `${file}: BOM`);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  assert(!text.includes('\r'), `${file}: CR found`);
  assert(text.endsWith('|\n'), `${file}: must end with "|\\n"`);
  const lines = text.slice(0, -1).split('\n');
  return lines
    .map((line, index) => {
      assert(line.endsWith('|'), `${file}:${index + 1}: no trailing "|"`);
      const fields = line.split('|').slice(0, -1);
      assert(
        fields.length === header.length,
        `${file}:${index + 1}: ${fields.length} fields, ${header.length} expected`,
      );
      if (index === 0) {
        assert(fields.join('|') === header.join('|'), `${file}: header differs`);
        return {};
      }
      return Object.fromEntries(header.map((column, position) => [column, fields[position]!]));
    })
    .slice(1);
}

function checkRows(file: string, rows: Row[]): void {
  for (const row of rows) {
    const where = `${file} (${row['Identification nationale PP']})`;
    checkNationalId(
      row["Type d'identifiant PP"]!,
      row['Identifiant PP']!,
      row['Identification nationale PP']!,
    );
    const siret = row['Numéro SIRET site'];
    const siren = row['Numéro SIREN site'];
    const finess = row['Numéro FINESS site'];
    const finessEJ = row['Numéro FINESS établissement juridique'];
    if (siret) assert(checks.siret(siret), `${where}: bad SIRET ${siret}`);
    if (siren)
      assert(checks.siren(siren) && (!siret || siret.startsWith(siren)), `${where}: bad SIREN ${siren}`);
    if (finess) assert(checks.finess(finess), `${where}: bad FINESS ${finess}`);
    if (finessEJ) assert(checks.finess(finessEJ), `${where}: bad FINESS EJ ${finessEJ}`);
    const ancien = row['Ancien identifiant de la structure'];
    if (ancien) {
      const ok =
        (ancien[0] === '1' && ancien.slice(1) === finess) ||
        (ancien[0] === '3' && ancien.slice(1) === siret) ||
        (ancien[0] === '4' && checks.rpps(ancien.slice(1, 12)) && ancien.length === 15);
      assert(ok, `${where}: bad former structure id ${ancien}`);
    }
    const codes: Array<[string, TableKey]> = [
      ['Code profession', 'profession'],
      ['Code catégorie professionnelle', 'categorie'],
      ["Code civilité d'exercice", 'civiliteExercice'],
      ['Code civilité', 'civilite'],
      ['Code type savoir-faire', 'typeSavoirFaire'],
      ['Code savoir-faire', 'specialite'],
      ['Code mode exercice', 'mode'],
      ["Code secteur d'activité", 'secteur'],
      ["Code genre d'activité", 'genre'],
    ];
    for (const [column, table] of codes) if (row[column]) label(table, row[column]);
    const email = row['Adresse e-mail (coord. correspondance)'];
    if (email) assert(/^[a-z-]+\.[a-z-]+@demo\.caducee\.test$/.test(email), `${where}: bad e-mail ${email}`);
    const mobile = row['Téléphone (coord. correspondance)'];
    if (mobile) assert(/^(0|0033)639980\d{3}$/.test(mobile), `${where}: bad mobile ${mobile}`);
    const others = row['Autres identifiants'];
    if (others !== undefined) {
      for (const entry of others.split(';')) {
        const [id = '', type = '', flag = ''] = entry.split(',');
        assert(flag === '1' && (type === 'RPPS' || type === 'ADELI'), `${where}: bad other id ${entry}`);
        checkNationalId(type === 'RPPS' ? '8' : '0', id.slice(1), id);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// README.

function readme(people: Person[], structures: Map<string, Structure>): string {
  const yes = (value: string) => (value ? 'yes' : 'no');
  const personRows = people.map((person) => {
    const { spec } = person;
    const profession = label('profession', spec.profession);
    const specialite = spec.specialite ? ` / ${specialiteLabel(spec.specialite)} (${spec.specialite})` : '';
    const ids = person.former
      ? `\`${person.main.idnat}\` (RPPS) + \`${person.former.idnat}\` (ADELI)`
      : `\`${person.main.idnat}\` (${spec.register})`;
    const title = spec.civiliteExercice ? `${label('civiliteExercice', spec.civiliteExercice)} ` : '';
    const born = spec.nomFamille ? ` (née ${spec.nomFamille})` : '';
    const mobile = person.mobile ? (person.mobile.startsWith('0033') ? 'yes (0033…)' : 'yes') : 'no';
    return `| ${person.order} | ${ids} | ${title}${spec.prenoms[0]} ${spec.nom}${born} | ${spec.profession} ${profession}${specialite} | ${spec.role} | ${yes(person.email)} | ${mobile} | ${spec.situations.length} |`;
  });
  const structureRows = [...structures.values()].map((structure) => {
    const s = structure.spec;
    const ids = [
      structure.siret && `SIRET ${structure.siret}`,
      structure.finess && `FINESS ${structure.finess} (EJ ${structure.finessEJ})`,
      !structure.siret && !structure.finess && `cabinet of ${s.cabinetOf}`,
    ]
      .filter(Boolean)
      .join(', ');
    return `| \`${structure.techId}\` | ${s.raisonSociale} | ${s.town.codePostal} ${s.town.bureau} | ${ids} |`;
  });
  return `# Demo directory

Fictitious professionals for demos and tests, as an official Annuaire Santé snapshot (ANS's "PS_LibreAcces" and Pro Santé Connect extract
formats, see \`docs/directory.md\`). **Generated** by \`node scripts/demo-extract.ts\`, with this
README: edit the script, not the files. Output is deterministic.

Files in \`extracts/\` (timestamp \`${STAMP}\`):

| file | content |
| --- | --- |
| \`${FILES.activite}\` | 52-column 2021 header; one line per (identifier × practice situation) |
| \`${FILES.savoirFaire}\` | specialties (type S, TRE_R38) of doctors and dentists |
| \`${FILES.diplomes}\` | diplomas (codes invented: ANS's diploma tables are not in the repo) |
| \`${FILES.psc}\` | Pro Santé Connect extract: civil status, correspondence e-mail and mobile, other identifiers |

Conventions: UTF-8 without BOM, LF, \`|\` separator without quoting, every line (header too) ends
with \`|\`. An identifier without a practice situation (ADELI-only professionals, the nurse's old
ADELI number) has one line whose situation and structure columns are all empty. The PSC extract has
exactly the same lines as \`Personne_activite\`; \`Autres identifiants\` lists the line's own
identifier, and the nurse's RPPS-based lines also list her ADELI-based one.

Everything is fictitious and kept out of real ranges: RPPS numbers \`99760…\` (ANS test range
\`997…\`, national id \`8\`+RPPS), ADELI numbers in département \`99\` (national id \`0\`+ADELI;
profession part 60 nurse, 93 psychologist), FINESS numbers \`99…\`, SIREN \`9990…\`; all pass the Luhn
key, which the script checks before writing and again on the written files. Mobiles are in the ARCEP
fiction range \`06 39 98\` (one in the international form \`0033 6 39 98…\`), landlines in the ARCEP
fiction ranges (\`01 99 00\`, \`02 61 91\`, \`03 53 01\`, \`04 65 71\`, \`05 36 49\`), e-mails in
\`demo.caducee.test\`. Codes come from \`src/directory/nomenclatures/tables/\` and are checked there.

## Professionals

The first seven rows are the scenarios demos and tests rely on; their positions are stable.

| # | national identifier | name | profession / specialty | role in demos and tests | e-mail | mobile | practice situations |
| --- | --- | --- | --- | --- | --- | --- | --- |
${personRows.join('\n')}

## Structures

| technical id | name | place | identifiers |
| --- | --- | --- | --- |
${structureRows.join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const people = buildPeople();
  const structures = buildStructures(people);
  assert(people.length >= 32, 'at least 32 demo persons');
  for (const person of people) {
    for (const situation of person.spec.situations) {
      assert(
        structures.has(situation.structure),
        `${person.spec.key}: unknown structure ${situation.structure}`,
      );
    }
    if (person.spec.specialite) {
      const family = person.spec.profession === '40' ? /^SCD/ : /^SM/;
      assert(family.test(person.spec.specialite), `${person.spec.key}: specialty of another profession`);
    }
  }
  const used = new Set(
    people.flatMap((person) => person.spec.situations.map((situation) => situation.structure)),
  );
  for (const key of structures.keys()) assert(used.has(key), `structure ${key} is not used`);

  const lines = people.flatMap(linesOf);
  const outputs: Array<[string, string[], Row[]]> = [
    [FILES.activite, ACTIVITE_HEADER, lines.map((line) => activiteRow(line, structures))],
    [FILES.savoirFaire, SAVOIR_FAIRE_HEADER, people.flatMap(savoirFaireRows)],
    [FILES.diplomes, DIPLOMES_HEADER, people.flatMap(diplomeRows)],
    [FILES.psc, PSC_HEADER, lines.map((line) => pscRow(line, structures))],
  ];
  assert(ACTIVITE_HEADER.length === 52 && PSC_HEADER.length === 51, 'header sizes');
  assert(SAVOIR_FAIRE_HEADER.length === 13 && DIPLOMES_HEADER.length === 13, 'header sizes');

  // Everything is checked before anything is written.
  for (const [file, , rows] of outputs) checkRows(file, rows);

  mkdirSync(OUT_DIR, { recursive: true });
  for (const [file, header, rows] of outputs) writeFileSync(join(OUT_DIR, file), serialize(header, rows));
  writeFileSync(join(DEMO_DIR, 'README.md'), readme(people, structures));

  // And read back.
  const summary: string[] = [];
  const idsIn: Record<string, Set<string>> = {};
  for (const [file, header, rows] of outputs) {
    const back = readBack(file, header);
    assert(back.length === rows.length, `${file}: ${back.length} rows read back, ${rows.length} written`);
    checkRows(file, back);
    idsIn[file] = new Set(back.map((row) => row['Identification nationale PP']!));
    summary.push(`  ${file}: ${header.length} columns, ${back.length} lines`);
  }
  const activiteIds = [...idsIn[FILES.activite]!].sort().join();
  assert(
    activiteIds === [...idsIn[FILES.psc]!].sort().join(),
    'Personne_activite and PSC list different identifiers',
  );

  const identifiers = people.length + people.filter((person) => person.former).length;
  console.log(`demo extract written to ${OUT_DIR}`);
  console.log(summary.join('\n'));
  console.log(
    `  ${people.length} persons, ${identifiers} national identifiers, ${structures.size} structures`,
  );
  console.log(
    `  contacts: ${people.filter((p) => p.email && p.mobile).length} e-mail+mobile, ` +
      `${people.filter((p) => p.email && !p.mobile).length} e-mail only, ` +
      `${people.filter((p) => !p.email && !p.mobile).length} none`,
  );
}

main();
