import { normalizeHeader } from './header.ts';

/** The four files of a directory snapshot. */
export type ExtractKind = 'activite' | 'savoirFaire' | 'diplomes' | 'psc';

export interface ColumnSpec {
  /** Our name for the value. */
  key: string;
  /** Accepted header names (any generation), compared after normalisation. */
  headers: string[];
  required?: boolean;
}

const identity: ColumnSpec[] = [
  { key: 'idType', headers: ["Type d'identifiant PP"], required: true },
  { key: 'idPP', headers: ['Identifiant PP'], required: true },
  { key: 'idnat', headers: ['Identification nationale PP'], required: true },
];

/** Structure (coord. structure) columns, shared by the public and the PSC extracts. */
const structure: ColumnSpec[] = [
  { key: 'siret', headers: ['Numéro SIRET site'] },
  { key: 'siren', headers: ['Numéro SIREN site'] },
  { key: 'finess', headers: ['Numéro FINESS site'] },
  { key: 'finessEJ', headers: ['Numéro FINESS établissement juridique'] },
  { key: 'structureId', headers: ['Identifiant technique de la structure'] },
  { key: 'raisonSociale', headers: ['Raison sociale site'] },
  { key: 'enseigne', headers: ['Enseigne commerciale site'] },
  { key: 'complementDestinataire', headers: ['Complément destinataire (coord. structure)'] },
  { key: 'complementPointGeographique', headers: ['Complément point géographique (coord. structure)'] },
  { key: 'numeroVoie', headers: ['Numéro Voie (coord. structure)'] },
  { key: 'indiceRepetitionVoie', headers: ['Indice répétition voie (coord. structure)'] },
  { key: 'typeVoieCode', headers: ['Code type de voie (coord. structure)'] },
  { key: 'typeVoieLabel', headers: ['Libellé type de voie (coord. structure)'] },
  { key: 'libelleVoie', headers: ['Libellé Voie (coord. structure)'] },
  { key: 'mentionDistribution', headers: ['Mention distribution (coord. structure)'] },
  { key: 'bureauCedex', headers: ['Bureau cedex (coord. structure)'] },
  { key: 'codePostal', headers: ['Code postal (coord. structure)'] },
  { key: 'codeCommune', headers: ['Code commune (coord. structure)'] },
  { key: 'libelleCommune', headers: ['Libellé commune (coord. structure)'] },
  { key: 'codePays', headers: ['Code pays (coord. structure)'] },
  { key: 'libellePays', headers: ['Libellé pays (coord. structure)'] },
  { key: 'telephone', headers: ['Téléphone (coord. structure)'] },
  { key: 'telephone2', headers: ['Téléphone 2 (coord. structure)'] },
  { key: 'telecopie', headers: ['Télécopie (coord. structure)'] },
  { key: 'adresseEMail', headers: ['Adresse e-mail (coord. structure)'] },
  {
    key: 'codeDepartement',
    headers: ['Code Département (structure)', 'Code département (coord. structure)'],
  },
  {
    key: 'libelleDepartement',
    headers: ['Libellé Département (structure)', 'Libellé département (coord. structure)'],
  },
  { key: 'ancienIdentifiant', headers: ['Ancien identifiant de la structure'] },
  { key: 'autoriteEnregistrement', headers: ["Autorité d'enregistrement"] },
];

/** What a practice situation says beyond its structure. */
const situation: ColumnSpec[] = [
  { key: 'modeCode', headers: ['Code mode exercice'] },
  { key: 'secteurCode', headers: ["Code secteur d'activité"] },
  { key: 'sectionPharmacienCode', headers: ['Code section tableau pharmaciens'] },
  { key: 'sectionPharmacienLabel', headers: ['Libellé section tableau pharmaciens'] },
  { key: 'roleCode', headers: ['Code rôle'] },
  { key: 'fonctionCode', headers: ['Code fonction'] },
  { key: 'genreCode', headers: ["Code genre d'activité"] },
];

const exercice: ColumnSpec[] = [
  { key: 'civiliteExerciceCode', headers: ["Code civilité d'exercice"] },
  { key: 'civiliteCode', headers: ['Code civilité'] },
  { key: 'nomExercice', headers: ["Nom d'exercice"], required: true },
  { key: 'prenomExercice', headers: ["Prénom d'exercice"] },
  { key: 'professionCode', headers: ['Code profession'], required: true },
  { key: 'categorieCode', headers: ['Code catégorie professionnelle'] },
  { key: 'savoirFaireTypeCode', headers: ['Code type savoir-faire'] },
  { key: 'savoirFaireCode', headers: ['Code savoir-faire'] },
];

export const COLUMNS: Record<ExtractKind, ColumnSpec[]> = {
  activite: [...identity, ...exercice, ...situation, ...structure],
  savoirFaire: [
    ...identity,
    { key: 'professionCode', headers: ['Code profession'], required: true },
    { key: 'categorieCode', headers: ['Code catégorie professionnelle'] },
    { key: 'typeCode', headers: ['Code type savoir-faire'], required: true },
    { key: 'typeLabel', headers: ['Libellé type savoir-faire'] },
    { key: 'code', headers: ['Code savoir-faire'], required: true },
    { key: 'label', headers: ['Libellé savoir-faire'] },
  ],
  diplomes: [
    ...identity,
    { key: 'diplomeTypeCode', headers: ['Code type diplôme obtenu'] },
    { key: 'diplomeTypeLabel', headers: ['Libellé type diplôme obtenu'] },
    { key: 'diplomeCode', headers: ['Code diplôme obtenu'] },
    { key: 'diplomeLabel', headers: ['Libellé diplôme obtenu'] },
    { key: 'autorisationTypeCode', headers: ['Code type autorisation'] },
    { key: 'autorisationTypeLabel', headers: ['Libellé type autorisation'] },
    { key: 'disciplineCode', headers: ['Code discipline autorisation'] },
    { key: 'disciplineLabel', headers: ['Libellé discipline autorisation'] },
  ],
  psc: [
    ...identity,
    { key: 'nomFamille', headers: ['Nom de famille'] },
    { key: 'prenoms', headers: ['Prénoms'] },
    { key: 'dateNaissance', headers: ['Date de naissance'] },
    { key: 'communeNaissanceCode', headers: ['Code commune de naissance'] },
    { key: 'paysNaissanceCode', headers: ['Code pays de naissance'] },
    { key: 'lieuNaissance', headers: ['Lieu de naissance'] },
    { key: 'sexeCode', headers: ['Code sexe'] },
    { key: 'mobile', headers: ['Téléphone (coord. correspondance)'], required: true },
    { key: 'email', headers: ['Adresse e-mail (coord. correspondance)'], required: true },
    ...exercice,
    ...situation,
    ...structure,
    { key: 'autresIdentifiants', headers: ['Autres identifiants'] },
  ],
};

export const STRUCTURE_KEYS = structure.map((column) => column.key);
export const SITUATION_KEYS = situation.map((column) => column.key);

/**
 * Where each of our keys sits in a file, from its header. Returns the missing required columns
 * (by their official name) instead of positions when there are some.
 */
export function mapColumns(
  kind: ExtractKind,
  header: string[],
): { ok: true; positions: number[] } | { ok: false; missing: string[] } {
  const index = new Map<string, number>();
  header.forEach((name, position) => {
    const normalized = normalizeHeader(name);
    if (!index.has(normalized)) index.set(normalized, position);
  });
  const positions: number[] = [];
  const missing: string[] = [];
  for (const spec of COLUMNS[kind]) {
    const position = spec.headers.map((h) => index.get(normalizeHeader(h))).find((p) => p !== undefined);
    if (position === undefined && spec.required) missing.push(spec.headers[0]!);
    positions.push(position ?? -1);
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, positions };
}

/** Values of a row in the order of COLUMNS[kind] (absent optional columns read as ''). */
export function pick(fields: string[], positions: number[]): string[] {
  return positions.map((position) => (position < 0 ? '' : (fields[position] ?? '').trim()));
}

/** A row as an object keyed by our names, for the assembly step. */
export function asRecord(kind: ExtractKind, values: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  COLUMNS[kind].forEach((spec, position) => {
    record[spec.key] = values[position] ?? '';
  });
  return record;
}
