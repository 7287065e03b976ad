import { COLUMNS, type ExtractKind } from '../extract/index.ts';
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

/**
 * Where each column sits in a row of each kind of file. Rows are read by position: building an
 * object keyed by column for each of a million lines cost more than everything else done with it.
 */
type Positions = Readonly<Record<string, number>>;
const POSITIONS = Object.fromEntries(
  Object.entries(COLUMNS).map(([kind, specs]) => [
    kind,
    Object.fromEntries(specs.map((spec, position) => [spec.key, position])),
  ]),
) as Record<ExtractKind, Positions>;

/** A row's value for a column; '' for a column its kind of file does not have. */
const value = (values: string[], at: Positions, key: string): string => {
  const position = at[key];
  return position === undefined ? '' : (values[position] ?? '');
};

/** Distinct items in the order of their JSON text (canonical whatever the order of the lines). */
const byJson = <T>(items: T[]): T[] => {
  // Most lists hold a single item (one practice situation, one specialty): nothing to order.
  if (items.length < 2) return items;
  const keyed = new Map(items.map((item) => [JSON.stringify(item), item]));
  return [...keyed.keys()].sort().map((key) => keyed.get(key)!);
};

function structureOf(v: string[], at: Positions): StructureRecord {
  return {
    siret: value(v, at, 'siret'),
    siren: value(v, at, 'siren'),
    finess: value(v, at, 'finess'),
    finessEJ: value(v, at, 'finessEJ'),
    structureId: value(v, at, 'structureId'),
    raisonSociale: value(v, at, 'raisonSociale'),
    enseigne: value(v, at, 'enseigne'),
    complementDestinataire: value(v, at, 'complementDestinataire'),
    complementPointGeographique: value(v, at, 'complementPointGeographique'),
    numeroVoie: value(v, at, 'numeroVoie'),
    indiceRepetitionVoie: value(v, at, 'indiceRepetitionVoie'),
    typeVoieCode: value(v, at, 'typeVoieCode'),
    typeVoieLabel: value(v, at, 'typeVoieLabel'),
    libelleVoie: value(v, at, 'libelleVoie'),
    mentionDistribution: value(v, at, 'mentionDistribution'),
    bureauCedex: value(v, at, 'bureauCedex'),
    codePostal: value(v, at, 'codePostal'),
    codeCommune: value(v, at, 'codeCommune'),
    libelleCommune: value(v, at, 'libelleCommune'),
    codePays: value(v, at, 'codePays'),
    libellePays: value(v, at, 'libellePays'),
    telephone: value(v, at, 'telephone'),
    telephone2: value(v, at, 'telephone2'),
    telecopie: value(v, at, 'telecopie'),
    adresseEMail: value(v, at, 'adresseEMail'),
    codeDepartement: value(v, at, 'codeDepartement'),
    libelleDepartement: value(v, at, 'libelleDepartement'),
    ancienIdentifiant: value(v, at, 'ancienIdentifiant'),
    autoriteEnregistrement: value(v, at, 'autoriteEnregistrement'),
  };
}

/** A practice situation, or none when the line carries no situation at all (bare ADELI lines). */
function activityOf(v: string[], at: Positions): ActivityRecord | undefined {
  const structure = structureOf(v, at);
  const activity: ActivityRecord = {
    modeCode: value(v, at, 'modeCode'),
    secteurCode: value(v, at, 'secteurCode'),
    sectionPharmacienCode: value(v, at, 'sectionPharmacienCode'),
    sectionPharmacienLabel: value(v, at, 'sectionPharmacienLabel'),
    roleCode: value(v, at, 'roleCode'),
    fonctionCode: value(v, at, 'fonctionCode'),
    genreCode: value(v, at, 'genreCode'),
    structure,
  };
  let filled = Boolean(
    activity.modeCode ||
      activity.secteurCode ||
      activity.roleCode ||
      activity.fonctionCode ||
      activity.genreCode,
  );
  for (const key in structure) filled ||= structure[key as keyof StructureRecord] !== '';
  return filled ? activity : undefined;
}

/** Exercices (one per profession) with their savoir-faire and activities, from person lines. */
function exercicesOf(rows: StagedRow[]): ExerciceRecord[] {
  const byProfession = new Map<string, ExerciceRecord>();
  for (const { kind, values: v } of rows) {
    const at = POSITIONS[kind];
    const professionCode = value(v, at, 'professionCode');
    let exercice = byProfession.get(professionCode);
    if (!exercice) {
      exercice = {
        professionCode,
        categorieCode: value(v, at, 'categorieCode'),
        civiliteExerciceCode: value(v, at, 'civiliteExerciceCode'),
        nomExercice: value(v, at, 'nomExercice'),
        prenomExercice: value(v, at, 'prenomExercice'),
        savoirFaire: [],
        activities: [],
      };
      byProfession.set(professionCode, exercice);
    }
    // Older generations print the specialty on each activity line.
    const savoirFaireCode = value(v, at, 'savoirFaireCode');
    if (savoirFaireCode) {
      exercice.savoirFaire.push({
        professionCode,
        typeCode: value(v, at, 'savoirFaireTypeCode'),
        code: savoirFaireCode,
        typeLabel: '',
        label: '',
      });
    }
    const activity = activityOf(v, at);
    if (activity) exercice.activities.push(activity);
  }
  const exercices = [...byProfession.values()];
  if (exercices.length > 1) exercices.sort((a, b) => a.professionCode.localeCompare(b.professionCode));
  for (const exercice of exercices) {
    exercice.savoirFaire = byJson(exercice.savoirFaire);
    exercice.activities = byJson(exercice.activities);
  }
  return exercices;
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

function activiteSection(rows: StagedRow[]): ActiviteSection {
  const { values: v } = rows[0]!;
  const at = POSITIONS.activite;
  return {
    idType: value(v, at, 'idType'),
    idPP: value(v, at, 'idPP'),
    civiliteCode: value(v, at, 'civiliteCode'),
    exercices: exercicesOf(rows),
  };
}

function pscSection(rows: StagedRow[]): PscSection {
  const { values: v } = rows[0]!;
  const at = POSITIONS.psc;
  return {
    idType: value(v, at, 'idType'),
    idPP: value(v, at, 'idPP'),
    nomFamille: value(v, at, 'nomFamille'),
    prenoms: value(v, at, 'prenoms')
      .split("'")
      .map((name) => name.trim())
      .filter(Boolean),
    dateNaissance: value(v, at, 'dateNaissance'),
    communeNaissanceCode: value(v, at, 'communeNaissanceCode'),
    paysNaissanceCode: value(v, at, 'paysNaissanceCode'),
    lieuNaissance: value(v, at, 'lieuNaissance'),
    sexeCode: value(v, at, 'sexeCode'),
    civiliteCode: value(v, at, 'civiliteCode'),
    mobile: value(v, at, 'mobile'),
    email: value(v, at, 'email'),
    autresIdentifiants: parseOtherIds(
      rows.map((row) => value(row.values, at, 'autresIdentifiants')).join(';'),
    ),
    exercices: exercicesOf(rows),
  };
}

function savoirFaireSection(rows: StagedRow[]): SavoirFaireRecord[] {
  const at = POSITIONS.savoirFaire;
  return byJson(
    rows.map(({ values: v }) => ({
      professionCode: value(v, at, 'professionCode'),
      typeCode: value(v, at, 'typeCode'),
      code: value(v, at, 'code'),
      typeLabel: value(v, at, 'typeLabel'),
      label: value(v, at, 'label'),
    })),
  );
}

function diplomesSection(rows: StagedRow[]): DiplomeRecord[] {
  const at = POSITIONS.diplomes;
  return byJson(
    rows.map(({ values: v }) => ({
      diplomeTypeCode: value(v, at, 'diplomeTypeCode'),
      diplomeTypeLabel: value(v, at, 'diplomeTypeLabel'),
      diplomeCode: value(v, at, 'diplomeCode'),
      diplomeLabel: value(v, at, 'diplomeLabel'),
      autorisationTypeCode: value(v, at, 'autorisationTypeCode'),
      autorisationTypeLabel: value(v, at, 'autorisationTypeLabel'),
      disciplineCode: value(v, at, 'disciplineCode'),
      disciplineLabel: value(v, at, 'disciplineLabel'),
    })),
  );
}

/**
 * Builds what the given lines say about one identifier: one section per kind of file that has
 * lines for it. Kinds of file absent from the import are not touched (their columns keep what
 * the previous import said, see reconcile.ts).
 */
export function assembleSections(rows: StagedRow[]): PersonSections {
  const grouped: Record<ExtractKind, StagedRow[]> = { activite: [], savoirFaire: [], diplomes: [], psc: [] };
  for (const row of rows) grouped[row.kind].push(row);
  const sections: PersonSections = {};
  if (grouped.activite.length > 0) sections.activite = activiteSection(grouped.activite);
  if (grouped.savoirFaire.length > 0) sections.savoirFaire = savoirFaireSection(grouped.savoirFaire);
  if (grouped.diplomes.length > 0) sections.diplomes = diplomesSection(grouped.diplomes);
  if (grouped.psc.length > 0) sections.psc = pscSection(grouped.psc);
  return sections;
}
