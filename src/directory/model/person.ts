import { type Coded, profession, resolve, savoirFaire } from '../nomenclatures/index.ts';
import type {
  ActivityRecord,
  ExerciceRecord,
  OtherIdRecord,
  PersonSections,
  StructureRecord,
} from './sections.ts';
import { readSections, type StoredSections } from './stored-sections.ts';

/**
 * A professional as the directory presents it: one national identifier with everything the
 * extracts say about it, codes resolved to current labels. What the OIDC claims, the card
 * host and the e-CPS read.
 */
export interface Person {
  nationalId: string;
  /** Type d'identifiant PP: `8` RPPS, `0` ADELI. */
  idType: string;
  /** The RPPS or ADELI number. */
  idPP: string;
  active: boolean;
  civility: Coded | null;
  familyName: string;
  givenNames: string[];
  birthDate: string | null;
  sexCode: string | null;
  exercices: Exercice[];
  diplomas: Diploma[];
  contact: Contact;
  /** The person's other identifiers (linked ADELI numbers of an RPPS person…). */
  otherIds: OtherIdRecord[];
  updatedAt: string;
  inactivatedAt: string | null;
}

export interface Exercice {
  profession: Coded & { oid: string };
  category: Coded | null;
  civiliteExercice: Coded | null;
  nomExercice: string;
  prenomExercice: string;
  savoirFaire: SavoirFaire[];
  activities: Activity[];
}

export interface SavoirFaire {
  type: Coded;
  code: string;
  label: string | null;
}

export interface Activity {
  mode: Coded | null;
  sector: Coded | null;
  sectionPharmacien: Coded | null;
  role: string;
  fonction: Coded | null;
  genre: Coded | null;
  /** Null when the situation has no structure (typical of ADELI-only professionals). */
  structure: StructureRecord | null;
}

export interface Diploma {
  type: Coded;
  diploma: Coded;
  authorizationType: Coded | null;
  discipline: Coded | null;
}

export interface Contact {
  /** In force now: the latest of the extract value and the changes whose delay has passed. */
  email: string | null;
  mobile: string | null;
  /** Changes made at the registration authority that are not in force yet. */
  pending: PendingContact[];
}

export interface PendingContact {
  email: string | null;
  mobile: string | null;
  effectiveAt: string;
}

const coded = (table: Parameters<typeof resolve>[0], code: string): Coded | null =>
  code ? resolve(table, code) : null;
const fromFile = (code: string, label: string): Coded | null =>
  code ? { code, label: label || null } : null;

function activityView(record: ActivityRecord): Activity {
  const hasStructure = Object.values(record.structure).some(Boolean);
  return {
    mode: coded('TRE_R23-ModeExercice', record.modeCode),
    sector: coded('TRE_R02-SecteurActivite', record.secteurCode),
    sectionPharmacien: fromFile(record.sectionPharmacienCode, record.sectionPharmacienLabel),
    role: record.roleCode,
    fonction: coded('TRE_R21-Fonction', record.fonctionCode),
    genre: coded('TRE_R22-GenreActivite', record.genreCode),
    structure: hasStructure ? record.structure : null,
  };
}

function exerciceView(record: ExerciceRecord, extraSavoirFaire: PersonSections['savoirFaire']): Exercice {
  const all = [
    ...record.savoirFaire,
    ...(extraSavoirFaire ?? []).filter((sf) => sf.professionCode === record.professionCode),
  ];
  const unique = new Map(all.map((sf) => [`${sf.typeCode}|${sf.code}`, sf]));
  return {
    profession: profession(record.professionCode),
    category: coded('TRE_R09-CategorieProfessionnelle', record.categorieCode),
    civiliteExercice: coded('TRE_R11-CiviliteExercice', record.civiliteExerciceCode),
    nomExercice: record.nomExercice,
    prenomExercice: record.prenomExercice,
    savoirFaire: [...unique.values()].map((sf) => {
      const type = resolve('TRE_R04-TypeSavoirFaire', sf.typeCode);
      return {
        type: { code: sf.typeCode, label: type.label ?? (sf.typeLabel || null) },
        code: sf.code,
        label: savoirFaire(sf.typeCode, sf.code).label ?? (sf.label || null),
      };
    }),
    activities: record.activities.map(activityView),
  };
}

export interface PersonRow extends StoredSections {
  idnat: string;
  id_type: string;
  id_pp: string;
  active: number;
  updated_at: string;
  inactivated_at: string | null;
}

/** Merges the sections of a stored person into the Person view. Contact is filled by the caller. */
const situationKey = (professionCode: string, activity: ActivityRecord) =>
  `${professionCode}|${activity.modeCode}|${activity.structure.structureId}`;

/**
 * The 2021 public extract has no genre d'activité nor rôle columns; the PSC extract has them for
 * the same situations. Fill them in where the public extract leaves them empty.
 */
function withPscSituationCodes(exercices: ExerciceRecord[], psc: PersonSections['psc']): ExerciceRecord[] {
  if (!psc) return exercices;
  const codes = new Map<string, ActivityRecord>();
  for (const exercice of psc.exercices) {
    for (const activity of exercice.activities)
      codes.set(situationKey(exercice.professionCode, activity), activity);
  }
  return exercices.map((exercice) => ({
    ...exercice,
    activities: exercice.activities.map((activity) => {
      const fromPsc = codes.get(situationKey(exercice.professionCode, activity));
      if (!fromPsc) return activity;
      return {
        ...activity,
        genreCode: activity.genreCode || fromPsc.genreCode,
        roleCode: activity.roleCode || fromPsc.roleCode,
      };
    }),
  }));
}

export function personView(row: PersonRow, contact: Contact): Person {
  const sections = readSections(row);
  const { activite, psc } = sections;
  // The public extract is the reference for practice; the PSC extract stands in when alone.
  const exercices = (
    activite?.exercices.length ? withPscSituationCodes(activite.exercices, psc) : (psc?.exercices ?? [])
  ).map((e) => exerciceView(e, sections.savoirFaire));
  const firstExercice = exercices[0];
  const civiliteCode = psc?.civiliteCode || activite?.civiliteCode || '';
  return {
    nationalId: row.idnat,
    idType: row.id_type,
    idPP: row.id_pp,
    active: row.active === 1,
    civility: coded('TRE_R81-Civilite', civiliteCode),
    familyName: psc?.nomFamille || firstExercice?.nomExercice || '',
    givenNames: psc?.prenoms.length
      ? psc.prenoms
      : firstExercice?.prenomExercice
        ? [firstExercice.prenomExercice]
        : [],
    birthDate: psc?.dateNaissance || null,
    sexCode: psc?.sexeCode || null,
    exercices,
    diplomas: (sections.diplomes ?? []).map((d) => ({
      type: { code: d.diplomeTypeCode, label: d.diplomeTypeLabel || null },
      diploma: { code: d.diplomeCode, label: d.diplomeLabel || null },
      authorizationType: fromFile(d.autorisationTypeCode, d.autorisationTypeLabel),
      discipline: fromFile(d.disciplineCode, d.disciplineLabel),
    })),
    contact,
    otherIds: psc?.autresIdentifiants ?? [],
    updatedAt: row.updated_at,
    inactivatedAt: row.inactivated_at,
  };
}

/**
 * What the search index keeps of a person (directory_facet). The person's own national
 * identifier and RPPS/ADELI number are not in it: the national identifier is the person's key
 * and, for RPPS and ADELI persons, the type digit plus the number (search.ts looks those up
 * there); a number that does not make the identifier that way is kept. Facets are derived data:
 * a change here needs a migration that rebuilds them (see store/migrations.ts).
 */
export function facetsOf(
  idnat: string,
  idPP: string,
  sections: PersonSections,
): Array<{ kind: string; value: string }> {
  const facets = new Map<string, { kind: string; value: string }>();
  const add = (kind: string, value: string) => {
    if (value && !facets.has(`${kind}|${value}`)) facets.set(`${kind}|${value}`, { kind, value });
  };
  if (idPP && !OWN_ID_TYPES.some((type) => idnat === `${type}${idPP}`)) add('id', idPP);
  for (const other of sections.psc?.autresIdentifiants ?? []) if (other.id !== idnat) add('id', other.id);
  const exercices = [...(sections.activite?.exercices ?? []), ...(sections.psc?.exercices ?? [])];
  for (const exercice of exercices) {
    add('profession', exercice.professionCode);
    for (const sf of exercice.savoirFaire) add('specialty', sf.code);
    for (const activity of exercice.activities) add('postcode', activity.structure.codePostal);
  }
  for (const sf of sections.savoirFaire ?? []) add('specialty', sf.code);
  return [...facets.values()];
}

/** Type digits of the identifiers that are the type plus the person's number (ADELI, RPPS). */
export const OWN_ID_TYPES = ['0', '8'];

/** Names used for search: nom / prénom d'exercice, else civil names. */
export function searchNamesOf(sections: PersonSections): { family: string; given: string } {
  const exercice = sections.activite?.exercices[0] ?? sections.psc?.exercices[0];
  return {
    family: exercice?.nomExercice || sections.psc?.nomFamille || '',
    given: exercice?.prenomExercice || sections.psc?.prenoms[0] || '',
  };
}
