/**
 * What the official extracts say about one national identifier, kept per file kind exactly as
 * imported (codes, not labels). Stored as JSON; the Person view merges and labels it on read.
 * Keys are created in a fixed order so that the JSON text, and its hash, is canonical.
 */
export interface StructureRecord {
  siret: string;
  siren: string;
  finess: string;
  finessEJ: string;
  structureId: string;
  raisonSociale: string;
  enseigne: string;
  complementDestinataire: string;
  complementPointGeographique: string;
  numeroVoie: string;
  indiceRepetitionVoie: string;
  typeVoieCode: string;
  typeVoieLabel: string;
  libelleVoie: string;
  mentionDistribution: string;
  bureauCedex: string;
  codePostal: string;
  codeCommune: string;
  libelleCommune: string;
  codePays: string;
  libellePays: string;
  telephone: string;
  telephone2: string;
  telecopie: string;
  adresseEMail: string;
  codeDepartement: string;
  libelleDepartement: string;
  ancienIdentifiant: string;
  autoriteEnregistrement: string;
}

export interface ActivityRecord {
  modeCode: string;
  secteurCode: string;
  sectionPharmacienCode: string;
  sectionPharmacienLabel: string;
  roleCode: string;
  fonctionCode: string;
  genreCode: string;
  structure: StructureRecord;
}

export interface SavoirFaireRecord {
  professionCode: string;
  typeCode: string;
  code: string;
  /** Labels from the file, kept for the kinds of savoir-faire whose table we do not hold. */
  typeLabel: string;
  label: string;
}

export interface ExerciceRecord {
  professionCode: string;
  categorieCode: string;
  civiliteExerciceCode: string;
  nomExercice: string;
  prenomExercice: string;
  savoirFaire: SavoirFaireRecord[];
  activities: ActivityRecord[];
}

export interface ActiviteSection {
  idType: string;
  idPP: string;
  civiliteCode: string;
  exercices: ExerciceRecord[];
}

export interface DiplomeRecord {
  diplomeTypeCode: string;
  diplomeTypeLabel: string;
  diplomeCode: string;
  diplomeLabel: string;
  autorisationTypeCode: string;
  autorisationTypeLabel: string;
  disciplineCode: string;
  disciplineLabel: string;
}

export interface OtherIdRecord {
  id: string;
  type: string;
  flag: string;
}

export interface PscSection {
  idType: string;
  idPP: string;
  nomFamille: string;
  prenoms: string[];
  dateNaissance: string;
  communeNaissanceCode: string;
  paysNaissanceCode: string;
  lieuNaissance: string;
  sexeCode: string;
  civiliteCode: string;
  mobile: string;
  email: string;
  autresIdentifiants: OtherIdRecord[];
  exercices: ExerciceRecord[];
}

export interface PersonSections {
  activite?: ActiviteSection;
  savoirFaire?: SavoirFaireRecord[];
  diplomes?: DiplomeRecord[];
  psc?: PscSection;
}

export const SECTION_KINDS = ['activite', 'savoirFaire', 'diplomes', 'psc'] as const;
