import { defineError } from '../platform/errors/index.ts';

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
