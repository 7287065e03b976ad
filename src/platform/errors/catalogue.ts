import { defineError } from './caducee-error.ts';

/** Errors that belong to no domain: configuration, storage, HTTP plumbing. */
export const ConfigInvalid = defineError<{ problems: string[] }>(
  'CONFIG_INVALID',
  500,
  (p) => `Configuration invalide :\n${p.problems.map((line) => `  - ${line}`).join('\n')}`,
  () => 'Corrigez les valeurs ci-dessus (fichier de configuration ou variables CADUCEE_*) puis relancez.',
);

export const ConfigFileUnreadable = defineError<{ file: string; reason: string }>(
  'CONFIG_FILE_UNREADABLE',
  500,
  (p) => `Fichier de configuration illisible : ${p.file} (${p.reason})`,
  () => 'Vérifiez le chemin donné par CADUCEE_CONFIG et que le fichier est un JSON valide.',
);

export const StoreUnavailable = defineError<{ store: string; reason: string }>(
  'STORE_UNAVAILABLE',
  503,
  (p) =>
    p.store === 'Redis'
      ? `Le stockage partagé des nœuds (Redis) ne répond pas : ${p.reason}`
      : `La base de données (${p.store}) ne répond pas : ${p.reason}`,
  (p) =>
    p.store === 'Redis'
      ? 'Vérifiez que Redis est démarré et joignable (CADUCEE_REDIS_URL), puis réessayez.'
      : 'Vérifiez que la base est démarrée et joignable (CADUCEE_DATABASE_URL), puis réessayez.',
);

export const StoreSchemaNewer = defineError<{ store: string; migrations: string[] }>(
  'STORE_SCHEMA_NEWER',
  500,
  (p) =>
    `La base de données (${p.store}) a été mise à jour par une version plus récente de Caducée (migrations inconnues : ${p.migrations.join(', ')}).`,
  () => 'Lancez la version de Caducée qui a migré cette base, ou une plus récente.',
);

export const NotFound = defineError<{ what: string }>('NOT_FOUND', 404, (p) => `${p.what} introuvable.`);

export const BadRequest = defineError<{ reason: string }>(
  'BAD_REQUEST',
  400,
  (p) => `Requête invalide : ${p.reason}`,
);

export const RequestTooLarge = defineError<{ maxBytes: number }>(
  'REQUEST_TOO_LARGE',
  413,
  (p) => `Requête trop volumineuse : ${p.maxBytes} octets au plus.`,
  () => "Envoyez moins de données ; si vous utilisez l'application officielle, mettez-la à jour.",
);

export const RequestHeadersTooLarge = defineError<{ maxBytes: number }>(
  'REQUEST_HEADERS_TOO_LARGE',
  431,
  (p) => `Adresse ou en-têtes de la requête trop longs : ${p.maxBytes} octets au plus.`,
  () =>
    "Le lien suivi porte trop de paramètres : revenez au service d'où vous venez et recommencez ; si cela se reproduit, signalez-le à son éditeur.",
);

export const MalformedHttpRequest = defineError<Record<string, never>>(
  'HTTP_REQUEST_MALFORMED',
  400,
  () => 'Requête HTTP mal formée.',
  () => 'Vérifiez le client HTTP utilisé ; un navigateur à jour ne produit pas de telle requête.',
);

export const InternalError = defineError<{ reference: string }>(
  'INTERNAL_ERROR',
  500,
  (p) => `Une erreur interne est survenue (référence ${p.reference}).`,
  () => "Réessayez plus tard ; si le problème persiste, communiquez la référence à l'exploitant.",
);
