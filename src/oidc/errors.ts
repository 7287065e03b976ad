import { defineError } from '../platform/errors/index.ts';
import { frenchDelay } from '../platform/rate-limit/index.ts';

export const ClientNotFound = defineError<{ clientId: string }>(
  'OIDC_CLIENT_NOT_FOUND',
  404,
  (p) => `Aucun client enregistré avec l'identifiant ${p.clientId}.`,
  () => 'caducee client list affiche les clients enregistrés.',
);

export const ClientInvalid = defineError<{ reason: string }>(
  'OIDC_CLIENT_INVALID',
  400,
  (p) => `Client invalide : ${p.reason}.`,
);

export const InteractionExpired = defineError(
  'OIDC_INTERACTION_EXPIRED',
  400,
  () => 'La demande de connexion a expiré ou a déjà été utilisée.',
  () => 'Retournez sur le service que vous vouliez utiliser et recommencez la connexion.',
);

export const LoginFormForbidden = defineError(
  'OIDC_FORBIDDEN_REQUEST',
  403,
  () => "Requête refusée : ce formulaire n'a pas été envoyé depuis la page de connexion.",
  () => 'Retournez sur le service que vous vouliez utiliser et recommencez la connexion.',
);

export const LoginRefused = defineError<{ idnat: string }>(
  'OIDC_LOGIN_REFUSED',
  403,
  (p) => `Le professionnel ${p.idnat} n'est pas actif dans l'annuaire : la connexion est refusée.`,
  () => 'Votre inscription doit être à jour auprès de votre autorité d’enregistrement (Ordre, ARS…).',
);

export const CardLoginFailed = defineError<{ code: string }>(
  'OIDC_CARD_LOGIN_FAILED',
  401,
  () => "La connexion par carte CPS n'a pas abouti.",
  (p) => `Motif : ${p.code}. Utilisez « Tester ma carte » pour vérifier votre carte, puis réessayez.`,
);

export const EcpsLoginNotApproved = defineError<{ status: string }>(
  'OIDC_ECPS_LOGIN_NOT_APPROVED',
  401,
  (p) =>
    p.status === 'denied'
      ? 'La connexion a été refusée dans l’application e-CPS.'
      : p.status === 'expired'
        ? 'La demande de connexion e-CPS a expiré (2 minutes) sans réponse.'
        : 'La demande de connexion e-CPS a été annulée (mauvais code choisi dans l’application).',
  () =>
    'Vous pouvez recommencer. Si vous n’êtes pas à l’origine de cette demande, signalez-le à votre assistance.',
);

export const TooManyLoginAttempts = defineError<{ retryAfterSeconds: number }>(
  'OIDC_TOO_MANY_LOGIN_ATTEMPTS',
  429,
  (p) =>
    `Trop de tentatives de connexion depuis ce poste en peu de temps. Réessayez dans ${frenchDelay(p.retryAfterSeconds)}.`,
  () =>
    "Vérifiez votre identifiant national (8 + RPPS ou 0 + ADELI). Si vous n'êtes pas à l'origine de ces tentatives, prévenez votre assistance.",
);

/** The OAuth endpoints answer it in OAuth's shape: `error` and this message as `error_description`. */
export const TooManyRequests = defineError<{
  retryAfterSeconds: number;
  per: 'address' | 'client' | 'client-failures';
}>('OIDC_TOO_MANY_REQUESTS', 429, (p) => {
  const why = {
    address: 'Trop de requêtes depuis cette adresse',
    client: 'Trop de requêtes de ce client',
    'client-failures': "Trop d'échecs d'authentification de ce client depuis cette adresse",
  }[p.per];
  return `${why} : réessayez dans ${frenchDelay(p.retryAfterSeconds)}.`;
});

/** The key file is not the one that sealed the client's secret (another node's, a new one…). */
export const ClientSecretUnreadable = defineError<{ clientId: string; keyFile: string }>(
  'OIDC_CLIENT_SECRET_UNREADABLE',
  500,
  (p) => `Le secret du client ${p.clientId} ne peut pas être déchiffré avec la clé ${p.keyFile}.`,
  () =>
    'Tous les nœuds doivent partager le même fichier de clé (<données>/secrets). Avec la clé d’origine perdue, donnez un nouveau secret au client : caducee client rotate-secret <client_id>.',
);

/** What the caller did before (an opposition…) is recorded; only the sessions' end failed. */
export const SessionsNotEnded = defineError<{ idnat: string; reason: string }>(
  'OIDC_SESSIONS_NOT_ENDED',
  503,
  (p) =>
    `Opposition enregistrée, mais les sessions de ${p.idnat} au fournisseur d'identité n'ont pas pu être fermées : ${p.reason}.`,
  () =>
    "La carte est déjà refusée à toute nouvelle connexion. Les sessions et jetons déjà obtenus restent valables jusqu'à leur expiration : rétablissez la base ou Redis, puis fermez-les (« Je me déconnecte de toutes les sessions » dans l'application e-CPS du professionnel).",
);
