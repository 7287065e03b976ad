import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { luhnKey } from '../src/directory/identifiers/index.ts';

/**
 * A synthetic `PS_LibreAcces_Personne_activite` extract in the official 52-column format
 * (EXTRACTS.md §1), for benchmarks. Written line by line with backpressure: memory stays flat
 * whatever the number of lines. Identifiers are fictitious but pass their Luhn key: RPPS numbers
 * in the `997…` range, ADELI numbers in département 99.
 */
export const ACTIVITE_HEADER =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|";

const COLUMNS = 52;

// Column positions in the header above.
const C = {
  idType: 0,
  idPP: 1,
  idnat: 2,
  civiliteExerciceCode: 3,
  civiliteExerciceLabel: 4,
  civiliteCode: 5,
  civiliteLabel: 6,
  nom: 7,
  prenom: 8,
  professionCode: 9,
  professionLabel: 10,
  categorieCode: 11,
  categorieLabel: 12,
  savoirFaireTypeCode: 13,
  savoirFaireTypeLabel: 14,
  savoirFaireCode: 15,
  savoirFaireLabel: 16,
  modeCode: 17,
  modeLabel: 18,
  siret: 19,
  siren: 20,
  finess: 21,
  finessEJ: 22,
  structureId: 23,
  raisonSociale: 24,
  enseigne: 25,
  numeroVoie: 28,
  typeVoieCode: 30,
  typeVoieLabel: 31,
  libelleVoie: 32,
  bureauCedex: 34,
  codePostal: 35,
  codeCommune: 36,
  libelleCommune: 37,
  codePays: 38,
  libellePays: 39,
  telephone: 40,
  codeDepartement: 44,
  libelleDepartement: 45,
  ancienIdentifiant: 46,
  autorite: 47,
  secteurCode: 48,
  secteurLabel: 49,
  sectionPharmacienCode: 50,
  sectionPharmacienLabel: 51,
} as const;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILY_NAMES = [
  'MARTIN',
  'BERNARD',
  'THOMAS',
  'PETIT',
  'ROBERT',
  'RICHARD',
  'DURAND',
  'DUBOIS',
  'MOREAU',
  'LAURENT',
  'SIMON',
  'MICHEL',
  'LEFEBVRE',
  'LEROY',
  'ROUX',
  'DAVID',
  'BERTRAND',
  'MOREL',
  'FOURNIER',
  'GIRARD',
  'BONNET',
  'DUPONT',
  'LAMBERT',
  'FONTAINE',
  'ROUSSEAU',
  'VINCENT',
  'MULLER',
  'LEFEVRE',
  'FAURE',
  'ANDRE',
  'MERCIER',
  'BLANC',
  'GUERIN',
  'BOYER',
  'GARNIER',
  'CHEVALIER',
  'FRANCOIS',
  'LEGRAND',
  'GAUTHIER',
  'GARCIA',
  'PERRIN',
  'ROBIN',
  'CLEMENT',
  'MORIN',
  'NICOLAS',
  'HENRY',
  'ROUSSEL',
  'MATHIEU',
  'GAUTIER',
  'MASSON',
  'MARCHAND',
  'DUVAL',
  'DENIS',
  'DUMONT',
  'MARIE',
  'LEMAIRE',
  'NOEL',
  'MEYER',
  'DUFOUR',
  'MEUNIER',
  'BRUN',
  'BLANCHARD',
  'GIRAUD',
  'JOLY',
  'RIVIERE',
  'LUCAS',
  'BRUNET',
  'GAILLARD',
  'BARBIER',
  'ARNAUD',
  'MARTINEZ',
  'GERARD',
  'ROCHE',
  'RENARD',
  'SCHMITT',
  'ROY',
  'LEROUX',
  'COLIN',
  'VIDAL',
  'CARON',
  'PICARD',
  'ROGER',
  'FABRE',
  'AUBERT',
  'LEMOINE',
  'RENAUD',
  'DUMAS',
  'LACROIX',
  'OLIVIER',
  'PHILIPPE',
  'BOURGEOIS',
  'PIERRE',
  'BENOIT',
  'REY',
  'LECLERC',
  'PAYET',
  'ROLLAND',
  'LECLERCQ',
  'GUILLAUME',
  'LECOMTE',
  'LOPEZ',
  'JEAN',
  'DUPUY',
  'GUILLOT',
  'HUBERT',
  'BERGER',
  'CARPENTIER',
  'SANCHEZ',
  'DUPUIS',
  'MOULIN',
  'LOUIS',
  'DESCHAMPS',
  'HUET',
  'VASSEUR',
  'PEREZ',
  'BOUCHER',
  'FLEURY',
  'ROYER',
  'KLEIN',
  'JACQUET',
  "L'HERMITE",
  'DE LA TOUR',
  'LE GALL',
  'LE ROUX',
  'GUÉRIN',
  'BÉRANGER',
  'LEFÈVRE',
  'CHÂTELAIN',
];

const GIVEN_NAMES = [
  'JEAN',
  'MARIE',
  'PIERRE',
  'NATHALIE',
  'MICHEL',
  'ISABELLE',
  'PHILIPPE',
  'SYLVIE',
  'ALAIN',
  'CATHERINE',
  'NICOLAS',
  'SOPHIE',
  'FRANÇOIS',
  'CHRISTINE',
  'LAURENT',
  'VALÉRIE',
  'ÉRIC',
  'SANDRINE',
  'STÉPHANE',
  'CÉLINE',
  'DAVID',
  'AURÉLIE',
  'JULIEN',
  'CAMILLE',
  'THOMAS',
  'JULIE',
  'ANTOINE',
  'LÉA',
  'MAXIME',
  'MANON',
  'HÉLÈNE',
  'JEAN-PIERRE',
  'ANNE-SOPHIE',
  'CHLOÉ',
  'HUGO',
  'INÈS',
  'LOUIS',
  'EMMA',
  'GAËL',
  'NOÉMIE',
];

/** [code, label, share of persons]. */
const PROFESSIONS: Array<[string, string, number]> = [
  ['10', 'Médecin', 0.3],
  ['21', 'Pharmacien', 0.1],
  ['40', 'Chirurgien-Dentiste', 0.06],
  ['50', 'Sage-Femme', 0.04],
  ['60', 'Infirmier', 0.38],
  ['70', 'Masseur-Kinésithérapeute', 0.12],
];

const SPECIALTIES: Array<[string, string]> = [
  ['SM54', 'Médecine générale'],
  ['SM54', 'Médecine générale'],
  ['SM54', 'Médecine générale'],
  ['SM26', 'Qualifié en Médecine générale'],
  ['SM04', 'Cardiologie et Maladies vasculaires'],
  ['SM15', 'Dermatologie et Vénéréologie'],
  ['SM02', 'Anesthésie-réanimation'],
  ['SM20', 'Gynécologie-obstétrique'],
  ['SM24', 'Gastro-entérologie et Hépatologie'],
  ['SM32', 'Neurologie'],
  ['SM42', 'Pédiatrie'],
  ['SM43', 'Pneumologie'],
  ['SM44', 'Psychiatrie'],
  ['SM45', 'Radio-diagnostic'],
  ['SM49', 'Santé publique et médecine sociale'],
  ['SM38', 'Ophtalmologie'],
];

const DENTIST_SPECIALTIES: Array<[string, string]> = [
  ['SCD01', 'Orthopédie dento-faciale (SCD)'],
  ['SCD02', 'Chirurgie orale (SCD)'],
];

/** [département code, label, towns as [postcode, INSEE commune code, name]]. */
const DEPARTEMENTS: Array<[string, string, Array<[string, string, string]>]> = [
  [
    '01',
    'Ain',
    [
      ['01000', '01053', 'BOURG-EN-BRESSE'],
      ['01390', '01248', 'MIONNAY'],
    ],
  ],
  [
    '06',
    'Alpes-Maritimes',
    [
      ['06000', '06088', 'NICE'],
      ['06400', '06029', 'CANNES'],
    ],
  ],
  [
    '13',
    'Bouches-du-Rhône',
    [
      ['13001', '13201', 'MARSEILLE'],
      ['13008', '13208', 'MARSEILLE'],
      ['13100', '13001', 'AIX-EN-PROVENCE'],
    ],
  ],
  ['14', 'Calvados', [['14000', '14118', 'CAEN']]],
  ['21', "Côte-d'Or", [['21000', '21231', 'DIJON']]],
  [
    '29',
    'Finistère',
    [
      ['29200', '29019', 'BREST'],
      ['29000', '29232', 'QUIMPER'],
    ],
  ],
  ['2A', 'Corse-du-Sud', [['20000', '2A004', 'AJACCIO']]],
  [
    '31',
    'Haute-Garonne',
    [
      ['31000', '31555', 'TOULOUSE'],
      ['31400', '31555', 'TOULOUSE'],
    ],
  ],
  [
    '33',
    'Gironde',
    [
      ['33000', '33063', 'BORDEAUX'],
      ['33600', '33318', 'PESSAC'],
    ],
  ],
  ['34', 'Hérault', [['34000', '34172', 'MONTPELLIER']]],
  ['35', 'Ille-et-Vilaine', [['35000', '35238', 'RENNES']]],
  ['38', 'Isère', [['38000', '38185', 'GRENOBLE']]],
  [
    '44',
    'Loire-Atlantique',
    [
      ['44000', '44109', 'NANTES'],
      ['44600', '44184', 'SAINT-NAZAIRE'],
    ],
  ],
  ['45', 'Loiret', [['45000', '45234', 'ORLÉANS']]],
  ['51', 'Marne', [['51100', '51454', 'REIMS']]],
  ['54', 'Meurthe-et-Moselle', [['54000', '54395', 'NANCY']]],
  [
    '59',
    'Nord',
    [
      ['59000', '59350', 'LILLE'],
      ['59100', '59512', 'ROUBAIX'],
      ['59200', '59599', 'TOURCOING'],
    ],
  ],
  ['63', 'Puy-de-Dôme', [['63000', '63113', 'CLERMONT-FERRAND']]],
  ['67', 'Bas-Rhin', [['67000', '67482', 'STRASBOURG']]],
  [
    '69',
    'Rhône',
    [
      ['69001', '69381', 'LYON'],
      ['69003', '69383', 'LYON'],
      ['69008', '69388', 'LYON'],
      ['69100', '69266', 'VILLEURBANNE'],
    ],
  ],
  [
    '75',
    'Paris',
    [
      ['75005', '75105', 'PARIS'],
      ['75011', '75111', 'PARIS'],
      ['75013', '75113', 'PARIS'],
      ['75015', '75115', 'PARIS'],
      ['75017', '75117', 'PARIS'],
      ['75020', '75120', 'PARIS'],
    ],
  ],
  [
    '76',
    'Seine-Maritime',
    [
      ['76000', '76540', 'ROUEN'],
      ['76600', '76351', 'LE HAVRE'],
    ],
  ],
  ['80', 'Somme', [['80000', '80021', 'AMIENS']]],
  ['83', 'Var', [['83000', '83137', 'TOULON']]],
  ['86', 'Vienne', [['86000', '86194', 'POITIERS']]],
  ['87', 'Haute-Vienne', [['87000', '87085', 'LIMOGES']]],
  [
    '92',
    'Hauts-de-Seine',
    [
      ['92100', '92012', 'BOULOGNE-BILLANCOURT'],
      ['92200', '92051', 'NEUILLY-SUR-SEINE'],
    ],
  ],
  ['93', 'Seine-Saint-Denis', [['93200', '93066', 'SAINT-DENIS']]],
  ['94', 'Val-de-Marne', [['94000', '94028', 'CRÉTEIL']]],
  ['974', 'La Réunion', [['97400', '97411', 'SAINT-DENIS']]],
];

const STREETS: Array<[string, string, string]> = [
  ['R', 'Rue', 'DE LA RÉPUBLIQUE'],
  ['R', 'Rue', 'VICTOR HUGO'],
  ['AV', 'Avenue', 'JEAN JAURÈS'],
  ['BD', 'Boulevard', 'PASTEUR'],
  ['PL', 'Place', 'DU MARCHÉ'],
  ['R', 'Rue', 'DES ÉCOLES'],
  ['AV', 'Avenue', 'DU GÉNÉRAL LECLERC'],
  ['R', 'Rue', 'PRINCIPALE'],
];

/** [sector code, label, mode, hospital-like (FINESS) or practice (SIRET)]. */
const SECTORS: Array<[string, string, string, 'finess' | 'siret']> = [
  ['SA07', 'Cabinet individuel', 'L', 'siret'],
  ['SA07', 'Cabinet individuel', 'L', 'siret'],
  ['SA08', 'Cabinet de groupe', 'L', 'siret'],
  ['SA09', 'Exercice en société', 'L', 'siret'],
  ['SA01', 'Etablissement public de santé', 'S', 'finess'],
  ['SA04', 'Etablissement privé non PSPH', 'S', 'finess'],
  ['SA05', 'Centre de santé', 'S', 'finess'],
  ['SA17', 'Etablissement pour personnes âgées', 'S', 'finess'],
];

const PHARMACY: [string, string, string, 'finess' | 'siret'] = ['SA33', "Pharmacie d'officine", 'L', 'siret'];

const MODES: Record<string, string> = { L: 'Libéral', S: 'Salarié', B: 'Bénévole' };
const AUTHORITIES: Record<string, string> = {
  '10': 'CNOM/CNOM/CNOM',
  '21': 'ONP/ONP/ONP',
  '40': 'ONCD/ONCD/ONCD',
  '50': 'ONSF/ONSF/ONSF',
  '60': 'ONI/ONI/ONI',
  '70': 'OMK/OMK/OMK',
};

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const withKey = (body: string) => `${body}${luhnKey(body)}`;

export interface SyntheticExtract {
  persons: number;
  lines: number;
}

/**
 * Writes `lines` data lines (plus the header) to `file`, which should be named
 * `PS_LibreAcces_Personne_activite_<aaaammjjhhmm>.txt`. Same seed, same file. With
 * `options.persons`, stops after that many persons (the whole-system benchmarks want a number of
 * professionals rather than of lines).
 */
export async function writeSyntheticExtract(
  file: string,
  lines: number,
  seed: number,
  options: { persons?: number } = {},
): Promise<SyntheticExtract> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const out = createWriteStream(file, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});

  let buffer = `${ACTIVITE_HEADER}\n`;
  const flush = async () => {
    if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
    buffer = '';
  };

  let persons = 0;
  let written = 0;
  let rppsCount = 0;
  let adeliCount = 0;
  let structureCount = 0;

  const professionOf = () => {
    let draw = random();
    for (const profession of PROFESSIONS) {
      draw -= profession[2];
      if (draw < 0) return profession;
    }
    return PROFESSIONS[0]!;
  };

  while (written < lines && (options.persons === undefined || persons < options.persons)) {
    persons++;
    const adeli = chance(0.15);
    const [professionCode, professionLabel] = professionOf();
    let idType: string;
    let idPP: string;
    if (adeli) {
      // 99 + 6 scrambled digits (a bijection of the counter) + key: unique and unordered.
      idType = '0';
      idPP = withKey(`99${pad((adeliCount++ * 7919 + 1234) % 1_000_000, 6)}`);
    } else {
      idType = '8';
      idPP = withKey(`997${pad((rppsCount++ * 7919 + 4321) % 10_000_000, 7)}`);
    }
    const female = chance(0.55);
    const family = chance(0.08) ? `${pick(FAMILY_NAMES)}-${pick(FAMILY_NAMES)}` : pick(FAMILY_NAMES);
    const given = pick(GIVEN_NAMES);
    const pharmacist = professionCode === '21';
    const civiliteExercice: [string, string] =
      professionCode === '10' || professionCode === '40'
        ? chance(0.03)
          ? ['PR', 'Professeur']
          : ['DR', 'Docteur']
        : ['', ''];
    const specialty =
      professionCode === '10'
        ? pick(SPECIALTIES)
        : professionCode === '40' && chance(0.1)
          ? pick(DENTIST_SPECIALTIES)
          : undefined;
    const situations = adeli ? 1 : chance(0.27) ? (chance(0.32) ? 3 : 2) : 1;
    const base = new Array<string>(COLUMNS).fill('');
    base[C.idType] = idType;
    base[C.idPP] = idPP;
    base[C.idnat] = `${idType}${idPP}`;
    base[C.civiliteExerciceCode] = civiliteExercice[0];
    base[C.civiliteExerciceLabel] = civiliteExercice[1];
    base[C.civiliteCode] = female ? 'MME' : 'M';
    base[C.civiliteLabel] = female ? 'Madame' : 'Monsieur';
    base[C.nom] = family;
    base[C.prenom] = given;
    base[C.professionCode] = professionCode;
    base[C.professionLabel] = professionLabel;
    base[C.categorieCode] = 'C';
    base[C.categorieLabel] = 'Civil';
    if (specialty) {
      base[C.savoirFaireTypeCode] = 'S';
      base[C.savoirFaireTypeLabel] = 'Spécialité ordinale';
      base[C.savoirFaireCode] = specialty[0];
      base[C.savoirFaireLabel] = specialty[1];
    }
    const home = pick(DEPARTEMENTS);
    for (let situation = 0; situation < situations && written < lines; situation++) {
      const fields = base.slice();
      if (!adeli) {
        const [secteurCode, secteurLabel, mode, kind] = pharmacist && chance(0.7) ? PHARMACY : pick(SECTORS);
        // Most situations stay in the person's département, some elsewhere.
        const [departementCode, departementLabel, towns] = chance(0.8) ? home : pick(DEPARTEMENTS);
        const [postcode, communeCode, commune] = pick(towns);
        const structure = structureCount++;
        const street = pick(STREETS);
        if (pharmacist) {
          fields[C.sectionPharmacienCode] = secteurCode === 'SA33' ? 'A' : 'H';
          fields[C.sectionPharmacienLabel] =
            secteurCode === 'SA33'
              ? "Pharmaciens titulaires d'officine"
              : 'Pharmaciens des établissements de santé';
        }
        fields[C.modeCode] = mode;
        fields[C.modeLabel] = MODES[mode]!;
        fields[C.secteurCode] = secteurCode;
        fields[C.secteurLabel] = secteurLabel;
        const departementDigits = departementCode === '2A' ? '20' : departementCode.slice(0, 2);
        if (kind === 'siret') {
          const siren = withKey(`9${pad(structure % 10_000_000, 7)}`);
          fields[C.siret] = withKey(`${siren}0001`);
          fields[C.structureId] = `R1${pad(structure, 13)}`;
          fields[C.raisonSociale] =
            secteurCode === 'SA33' ? `PHARMACIE ${family}` : `CABINET ${female ? 'MME' : 'M.'} ${family}`;
          fields[C.enseigne] = fields[C.raisonSociale]!;
          fields[C.ancienIdentifiant] = `3${fields[C.siret]}`;
        } else {
          const finess = withKey(`${departementDigits}09${pad(structure % 10_000, 4)}`);
          const finessEJ = withKey(`${departementDigits}00${pad(structure % 10_000, 4)}`);
          fields[C.finess] = finess;
          fields[C.finessEJ] = finessEJ;
          fields[C.structureId] = `F${finess}`;
          fields[C.raisonSociale] = `CENTRE HOSPITALIER DE ${commune}`;
          fields[C.ancienIdentifiant] = `1${finess}`;
        }
        fields[C.numeroVoie] = String(1 + Math.floor(random() * 180));
        fields[C.typeVoieCode] = street[0];
        fields[C.typeVoieLabel] = street[1];
        fields[C.libelleVoie] = street[2];
        fields[C.bureauCedex] = `${postcode} ${commune}`;
        fields[C.codePostal] = postcode;
        fields[C.codeCommune] = communeCode;
        fields[C.libelleCommune] = commune;
        fields[C.codePays] = '99000';
        fields[C.libellePays] = 'France';
        fields[C.telephone] = `0${1 + Math.floor(random() * 5)}${pad(Math.floor(random() * 100_000_000), 8)}`;
        fields[C.codeDepartement] = departementCode;
        fields[C.libelleDepartement] = departementLabel;
        fields[C.autorite] = AUTHORITIES[professionCode]!;
      }
      buffer += `${fields.join('|')}|\n`;
      written++;
      if (buffer.length >= 64 * 1024) await flush();
    }
  }
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { persons, lines: written };
}
