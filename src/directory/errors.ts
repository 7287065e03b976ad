import { defineError } from '../platform/errors/index.ts';

/** The directory's error catalogue: stable codes, French messages, what to do. */
export const ExtractFileUnreadable = defineError<{ file: string; reason: string }>(
  'DIRECTORY_FILE_UNREADABLE',
  400,
  (p) => `${p.file} : fichier illisible (${p.reason}).`,
  () => 'Vérifiez le chemin et retéléchargez le fichier si besoin. Aucune donnée n’a été modifiée.',
);

export const ExtractUnknownFile = defineError<{ file: string }>(
  'DIRECTORY_UNKNOWN_FILE',
  400,
  (p) => `${p.file} : fichier non reconnu comme extraction de l'Annuaire Santé.`,
  () =>
    'Les noms attendus commencent par PS_LibreAcces_Personne_activite, PS_LibreAcces_SavoirFaire, ' +
    'PS_LibreAcces_Dipl_AutExerc ou Extraction_ProSanteConnect_Personne_activite (fichiers .txt ou archive .zip).',
);

export const ExtractNoPersonFile = defineError<{ files: string[] }>(
  'DIRECTORY_NO_PERSON_FILE',
  400,
  () => "Aucun fichier de personnes (Personne_activite) dans l'import.",
  () =>
    "Un import doit contenir PS_LibreAcces_Personne_activite ou Extraction_ProSanteConnect_Personne_activite : c'est la liste complète des personnes.",
);

export const ExtractDuplicateKind = defineError<{ first: string; second: string }>(
  'DIRECTORY_DUPLICATE_FILE',
  400,
  (p) => `${p.first} et ${p.second} sont deux fichiers du même type dans un même import.`,
  () => "Ne donnez qu'un fichier de chaque type (l'extraction la plus récente).",
);

export const ExtractMissingColumn = defineError<{ file: string; columns: string[] }>(
  'DIRECTORY_MISSING_COLUMN',
  400,
  (p) =>
    `${p.file}:1 : colonne(s) obligatoire(s) absente(s) de l'en-tête : ${p.columns.map((c) => `« ${c} »`).join(', ')}.`,
  () => "Le fichier est peut-être tronqué ou d'un autre type. Aucune donnée n’a été modifiée.",
);

export const ExtractMalformedLine = defineError<{ file: string; line: number; reason: string }>(
  'DIRECTORY_MALFORMED_LINE',
  400,
  (p) => `${p.file}:${p.line} : ${p.reason}.`,
  () => "Corrigez ou retéléchargez l'extraction puis relancez l'import. Aucune donnée n’a été modifiée.",
);

export const ExtractEmpty = defineError<{ file: string }>(
  'DIRECTORY_EMPTY_FILE',
  400,
  (p) => `${p.file} : fichier vide (pas même une ligne d'en-tête).`,
  () =>
    'Le téléchargement a probablement échoué : retéléchargez l’extraction. Aucune donnée n’a été modifiée.',
);

export const ImportTooManyInactivations = defineError<{
  gone: number;
  active: number;
  share: number;
  threshold: number;
}>(
  'DIRECTORY_TOO_MANY_INACTIVATIONS',
  409,
  (p) =>
    `Import refusé : il rendrait inactives ${p.gone} personnes sur ${p.active} actives ` +
    `(${(p.share * 100).toFixed(1)} %, seuil ${(p.threshold * 100).toFixed(1)} %).`,
  () =>
    "Une extraction tronquée ne doit pas vider l'annuaire. Vérifiez les fichiers ; si la baisse est réelle, relancez avec --force.",
);

export const PersonNotFound = defineError<{ idnat: string }>(
  'DIRECTORY_PERSON_NOT_FOUND',
  404,
  (p) => `Aucun professionnel avec l'identifiant national ${p.idnat}.`,
  () => "Vérifiez l'identifiant (8 + RPPS ou 0 + ADELI).",
);

export const InvalidNationalId = defineError<{ value: string; problem: string }>(
  'DIRECTORY_INVALID_NATIONAL_ID',
  400,
  (p) => `Identifiant national « ${p.value} » invalide : ${p.problem}.`,
  () =>
    'Un identifiant national est 8 suivi du numéro RPPS (12 chiffres) ou 0 suivi du numéro ADELI (10 chiffres).',
);

export const InvalidSearch = defineError<{ reason: string }>(
  'DIRECTORY_INVALID_SEARCH',
  400,
  (p) => `Recherche invalide : ${p.reason}.`,
  () => 'Donnez au moins un critère : nom (2 lettres minimum), profession, code postal ou identifiant.',
);

export const InvalidContact = defineError<{ field: string; value: string; reason: string }>(
  'DIRECTORY_INVALID_CONTACT',
  400,
  (p) => `${p.field} « ${p.value} » invalide : ${p.reason}.`,
);
