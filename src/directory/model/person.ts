import { type Coded, profession, resolve, savoirFaire } from '../nomenclatures/index.ts';
import type {
  ActivityRecord,
  ExerciceRecord,
  OtherIdRecord,
  PersonSections,
  StructureRecord,
} from './sections.ts';

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

export interface PersonRow {
  idnat: string;
  id_type: string;
  id_pp: string;
  active: number;
  sections: string;
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
  const sections = JSON.parse(row.sections) as PersonSections;
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

/** What the search index keeps of a person. */
export function facetsOf(
  idnat: string,
  idPP: string,
  sections: PersonSections,
): Array<{ kind: string; value: string }> {
  const facets = new Set<string>();
  const add = (kind: string, value: string) => value && facets.add(`${kind}\u0000${value}`);
  add('id', idnat);
  add('id', idPP);
  for (const other of sections.psc?.autresIdentifiants ?? []) add('id', other.id);
  const exercices = [...(sections.activite?.exercices ?? []), ...(sections.psc?.exercices ?? [])];
  for (const exercice of exercices) {
    add('profession', exercice.professionCode);
    for (const sf of exercice.savoirFaire) add('specialty', sf.code);
    for (const activity of exercice.activities) add('postcode', activity.structure.codePostal);
  }
  for (const sf of sections.savoirFaire ?? []) add('specialty', sf.code);
  return [...facets].map((entry) => {
    const [kind, value] = entry.split('\u0000') as [string, string];
    return { kind, value };
  });
}

/** Names used for search: nom / prénom d'exercice, else civil names. */
export function searchNamesOf(sections: PersonSections): { family: string; given: string } {
  const exercice = sections.activite?.exercices[0] ?? sections.psc?.exercices[0];
  return {
    family: exercice?.nomExercice || sections.psc?.nomFamille || '',
    given: exercice?.prenomExercice || sections.psc?.prenoms[0] || '',
  };
}
