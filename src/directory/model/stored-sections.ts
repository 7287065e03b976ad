import type {
  ActiviteSection,
  ActivityRecord,
  DiplomeRecord,
  ExerciceRecord,
  OtherIdRecord,
  PersonSections,
  PscSection,
  SavoirFaireRecord,
  StructureRecord,
} from './sections.ts';

/**
 * How the sections are stored: one column per kind of file, so that an import compares and
 * writes only the kinds it was given and leaves the others as the previous import wrote them.
 * Each holds the section's JSON without its empty strings and empty lists, and each structure
 * as the list of its values in the order of StructureRecord (29 fields, most of them empty or
 * short: their names were half of the text). Reading gives every field back.
 */
export interface StoredSections {
  activite: string | null;
  savoir_faire: string | null;
  diplomes: string | null;
  psc: string | null;
}

export const SECTION_COLUMNS = {
  activite: 'activite',
  savoirFaire: 'savoir_faire',
  diplomes: 'diplomes',
  psc: 'psc',
} as const satisfies Record<keyof PersonSections, keyof StoredSections>;

/** The JSON stored for a section: keys in the order they were built, empty values left out. */
export function sectionJson(section: PersonSections[keyof PersonSections]): string | null {
  return section === undefined ? null : JSON.stringify(withoutEmpty(section));
}

function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, unknown> = {};
  for (const key in value) {
    let item = (value as Record<string, unknown>)[key];
    if (key === 'structure') item = structureValues(item as StructureRecord);
    if (item === '' || (Array.isArray(item) && item.length === 0)) continue;
    kept[key] = typeof item === 'object' ? withoutEmpty(item) : item;
  }
  return kept;
}

/** A structure's values in field order, without the empty ones at the end. */
function structureValues(structure: StructureRecord): string[] {
  const values = STRUCTURE_FIELDS.map((field) => structure[field]);
  while (values.length > 0 && values.at(-1) === '') values.pop();
  return values;
}

/**
 * The sections of a stored person, every field present again, in the order they are built (so
 * that writing them back gives the same text).
 */
export function readSections(row: StoredSections): PersonSections {
  const sections: PersonSections = {};
  if (row.activite) sections.activite = activiteFrom(JSON.parse(row.activite));
  if (row.savoir_faire) sections.savoirFaire = listFrom(JSON.parse(row.savoir_faire), savoirFaireFrom);
  if (row.diplomes) sections.diplomes = listFrom(JSON.parse(row.diplomes), diplomeFrom);
  if (row.psc) sections.psc = pscFrom(JSON.parse(row.psc));
  return sections;
}

type Stored = Record<string, any>;

const text = (stored: Stored, key: string): string => stored[key] ?? '';

const listFrom = <T>(items: unknown, from: (item: Stored) => T): T[] =>
  Array.isArray(items) ? items.map(from) : [];

const EMPTY_STRUCTURE: StructureRecord = {
  siret: '',
  siren: '',
  finess: '',
  finessEJ: '',
  structureId: '',
  raisonSociale: '',
  enseigne: '',
  complementDestinataire: '',
  complementPointGeographique: '',
  numeroVoie: '',
  indiceRepetitionVoie: '',
  typeVoieCode: '',
  typeVoieLabel: '',
  libelleVoie: '',
  mentionDistribution: '',
  bureauCedex: '',
  codePostal: '',
  codeCommune: '',
  libelleCommune: '',
  codePays: '',
  libellePays: '',
  telephone: '',
  telephone2: '',
  telecopie: '',
  adresseEMail: '',
  codeDepartement: '',
  libelleDepartement: '',
  ancienIdentifiant: '',
  autoriteEnregistrement: '',
};

const STRUCTURE_FIELDS = Object.keys(EMPTY_STRUCTURE) as Array<keyof StructureRecord>;

const structureFrom = (values: unknown): StructureRecord => {
  const structure = { ...EMPTY_STRUCTURE };
  if (Array.isArray(values))
    for (const [index, field] of STRUCTURE_FIELDS.entries()) structure[field] = values[index] ?? '';
  return structure;
};

const activityFrom = (stored: Stored): ActivityRecord => ({
  modeCode: text(stored, 'modeCode'),
  secteurCode: text(stored, 'secteurCode'),
  sectionPharmacienCode: text(stored, 'sectionPharmacienCode'),
  sectionPharmacienLabel: text(stored, 'sectionPharmacienLabel'),
  roleCode: text(stored, 'roleCode'),
  fonctionCode: text(stored, 'fonctionCode'),
  genreCode: text(stored, 'genreCode'),
  structure: structureFrom(stored.structure),
});

const savoirFaireFrom = (stored: Stored): SavoirFaireRecord => ({
  professionCode: text(stored, 'professionCode'),
  typeCode: text(stored, 'typeCode'),
  code: text(stored, 'code'),
  typeLabel: text(stored, 'typeLabel'),
  label: text(stored, 'label'),
});

const exerciceFrom = (stored: Stored): ExerciceRecord => ({
  professionCode: text(stored, 'professionCode'),
  categorieCode: text(stored, 'categorieCode'),
  civiliteExerciceCode: text(stored, 'civiliteExerciceCode'),
  nomExercice: text(stored, 'nomExercice'),
  prenomExercice: text(stored, 'prenomExercice'),
  savoirFaire: listFrom(stored.savoirFaire, savoirFaireFrom),
  activities: listFrom(stored.activities, activityFrom),
});

const diplomeFrom = (stored: Stored): DiplomeRecord => ({
  diplomeTypeCode: text(stored, 'diplomeTypeCode'),
  diplomeTypeLabel: text(stored, 'diplomeTypeLabel'),
  diplomeCode: text(stored, 'diplomeCode'),
  diplomeLabel: text(stored, 'diplomeLabel'),
  autorisationTypeCode: text(stored, 'autorisationTypeCode'),
  autorisationTypeLabel: text(stored, 'autorisationTypeLabel'),
  disciplineCode: text(stored, 'disciplineCode'),
  disciplineLabel: text(stored, 'disciplineLabel'),
});

const otherIdFrom = (stored: Stored): OtherIdRecord => ({
  id: text(stored, 'id'),
  type: text(stored, 'type'),
  flag: text(stored, 'flag'),
});

const activiteFrom = (stored: Stored): ActiviteSection => ({
  idType: text(stored, 'idType'),
  idPP: text(stored, 'idPP'),
  civiliteCode: text(stored, 'civiliteCode'),
  exercices: listFrom(stored.exercices, exerciceFrom),
});

const pscFrom = (stored: Stored): PscSection => ({
  idType: text(stored, 'idType'),
  idPP: text(stored, 'idPP'),
  nomFamille: text(stored, 'nomFamille'),
  prenoms: Array.isArray(stored.prenoms) ? stored.prenoms.map(String) : [],
  dateNaissance: text(stored, 'dateNaissance'),
  communeNaissanceCode: text(stored, 'communeNaissanceCode'),
  paysNaissanceCode: text(stored, 'paysNaissanceCode'),
  lieuNaissance: text(stored, 'lieuNaissance'),
  sexeCode: text(stored, 'sexeCode'),
  civiliteCode: text(stored, 'civiliteCode'),
  mobile: text(stored, 'mobile'),
  email: text(stored, 'email'),
  autresIdentifiants: listFrom(stored.autresIdentifiants, otherIdFrom),
  exercices: listFrom(stored.exercices, exerciceFrom),
});
