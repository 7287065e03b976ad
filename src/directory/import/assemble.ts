import { asRecord, type ExtractKind, STRUCTURE_KEYS } from '../extract/index.ts';
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
} from '../model/sections.ts';

/** A staged row: which file it came from and its values in COLUMNS order. */
export interface StagedRow {
  kind: ExtractKind;
  values: string[];
}

/** Distinct items in the order of their JSON text (canonical whatever the order of the lines). */
const byJson = <T>(items: T[]): T[] => {
  // Most lists hold a single item (one practice situation, one specialty): nothing to order.
  if (items.length < 2) return items.slice();
  const keyed = new Map(items.map((item) => [JSON.stringify(item), item]));
  return [...keyed.keys()].sort().map((key) => keyed.get(key)!);
};

/** The structure columns of a line, and whether any of them is filled. */
function structureOf(row: Record<string, string>): [StructureRecord, boolean] {
  const structure = {} as Record<string, string>;
  let filled = false;
  for (const key of STRUCTURE_KEYS) {
    const value = row[key] ?? '';
    structure[key] = value;
    if (value) filled = true;
  }
  return [structure as unknown as StructureRecord, filled];
}

/** A practice situation, or none when the line carries no situation at all (bare ADELI lines). */
function activityOf(row: Record<string, string>): ActivityRecord | undefined {
  const [structure, hasStructure] = structureOf(row);
  const activity: ActivityRecord = {
    modeCode: row.modeCode ?? '',
    secteurCode: row.secteurCode ?? '',
    sectionPharmacienCode: row.sectionPharmacienCode ?? '',
    sectionPharmacienLabel: row.sectionPharmacienLabel ?? '',
    roleCode: row.roleCode ?? '',
    fonctionCode: row.fonctionCode ?? '',
    genreCode: row.genreCode ?? '',
    structure,
  };
  const hasSituation = Boolean(
    activity.modeCode ||
      activity.secteurCode ||
      activity.roleCode ||
      activity.fonctionCode ||
      activity.genreCode,
  );
  return hasSituation || hasStructure ? activity : undefined;
}

/** Exercices (one per profession) with their savoir-faire and activities, from person lines. */
function exercicesOf(rows: Array<Record<string, string>>): ExerciceRecord[] {
  const byProfession = new Map<string, ExerciceRecord>();
  for (const row of rows) {
    const professionCode = row.professionCode ?? '';
    let exercice = byProfession.get(professionCode);
    if (!exercice) {
      exercice = {
        professionCode,
        categorieCode: row.categorieCode ?? '',
        civiliteExerciceCode: row.civiliteExerciceCode ?? '',
        nomExercice: row.nomExercice ?? '',
        prenomExercice: row.prenomExercice ?? '',
        savoirFaire: [],
        activities: [],
      };
      byProfession.set(professionCode, exercice);
    }
    // Older generations print the specialty on each activity line.
    if (row.savoirFaireCode) {
      exercice.savoirFaire.push({
        professionCode,
        typeCode: row.savoirFaireTypeCode ?? '',
        code: row.savoirFaireCode,
        typeLabel: '',
        label: '',
      });
    }
    const activity = activityOf(row);
    if (activity) exercice.activities.push(activity);
  }
  return [...byProfession.values()]
    .sort((a, b) => a.professionCode.localeCompare(b.professionCode))
    .map((exercice) => ({
      ...exercice,
      savoirFaire: byJson(exercice.savoirFaire),
      activities: byJson(exercice.activities),
    }));
}

/** `id,TYPE,flag;id,TYPE,flag` (PSC extract). */
export function parseOtherIds(text: string): OtherIdRecord[] {
  if (text.trim() === '') return [];
  return byJson(
    text
      .split(';')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const [id = '', type = '', flag = ''] = entry.split(',').map((part) => part.trim());
        return { id, type, flag };
      }),
  );
}

function activiteSection(rows: Array<Record<string, string>>): ActiviteSection {
  const first = rows[0]!;
  return {
    idType: first.idType!,
    idPP: first.idPP!,
    civiliteCode: first.civiliteCode ?? '',
    exercices: exercicesOf(rows),
  };
}

function pscSection(rows: Array<Record<string, string>>): PscSection {
  const first = rows[0]!;
  return {
    idType: first.idType!,
    idPP: first.idPP!,
    nomFamille: first.nomFamille ?? '',
    prenoms: (first.prenoms ?? '')
      .split("'")
      .map((name) => name.trim())
      .filter(Boolean),
    dateNaissance: first.dateNaissance ?? '',
    communeNaissanceCode: first.communeNaissanceCode ?? '',
    paysNaissanceCode: first.paysNaissanceCode ?? '',
    lieuNaissance: first.lieuNaissance ?? '',
    sexeCode: first.sexeCode ?? '',
    civiliteCode: first.civiliteCode ?? '',
    mobile: first.mobile ?? '',
    email: first.email ?? '',
    autresIdentifiants: parseOtherIds(rows.map((row) => row.autresIdentifiants ?? '').join(';')),
    exercices: exercicesOf(rows),
  };
}

function savoirFaireSection(rows: Array<Record<string, string>>): SavoirFaireRecord[] {
  return byJson(
    rows.map((row) => ({
      professionCode: row.professionCode ?? '',
      typeCode: row.typeCode ?? '',
      code: row.code ?? '',
      typeLabel: row.typeLabel ?? '',
      label: row.label ?? '',
    })),
  );
}

function diplomesSection(rows: Array<Record<string, string>>): DiplomeRecord[] {
  return byJson(
    rows.map((row) => ({
      diplomeTypeCode: row.diplomeTypeCode ?? '',
      diplomeTypeLabel: row.diplomeTypeLabel ?? '',
      diplomeCode: row.diplomeCode ?? '',
      diplomeLabel: row.diplomeLabel ?? '',
      autorisationTypeCode: row.autorisationTypeCode ?? '',
      autorisationTypeLabel: row.autorisationTypeLabel ?? '',
      disciplineCode: row.disciplineCode ?? '',
      disciplineLabel: row.disciplineLabel ?? '',
    })),
  );
}

/**
 * Builds what this import says about one identifier. Kinds of file not part of the import keep
 * what the previous import said (importing only PS_LibreAcces must not forget the contacts).
 */
export function assembleSections(
  rows: StagedRow[],
  importedKinds: ReadonlySet<ExtractKind>,
  previous: PersonSections | undefined,
): PersonSections {
  const grouped: Record<ExtractKind, Array<Record<string, string>>> = {
    activite: [],
    savoirFaire: [],
    diplomes: [],
    psc: [],
  };
  for (const row of rows) grouped[row.kind].push(asRecord(row.kind, row.values));
  const pick = <K extends keyof PersonSections>(
    kind: K & ExtractKind,
    build: (rows: Array<Record<string, string>>) => PersonSections[K],
  ) => {
    if (!importedKinds.has(kind)) return previous?.[kind];
    return grouped[kind].length > 0 ? build(grouped[kind]) : undefined;
  };
  const sections: PersonSections = {};
  const activite = pick('activite', activiteSection);
  if (activite) sections.activite = activite;
  const savoirFaire = pick('savoirFaire', savoirFaireSection);
  if (savoirFaire) sections.savoirFaire = savoirFaire;
  const diplomes = pick('diplomes', diplomesSection);
  if (diplomes) sections.diplomes = diplomes;
  const psc = pick('psc', pscSection);
  if (psc) sections.psc = psc;
  return sections;
}

/** True when the sections put the person in the snapshot (present in a person file). */
export function isListed(sections: PersonSections): boolean {
  return sections.activite !== undefined || sections.psc !== undefined;
}
