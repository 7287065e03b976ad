import { defineError } from '../platform/errors/index.ts';

export const EcpsContactMissing = defineError<{ idnat: string; missing: string[] }>(
  'ECPS_CONTACT_MISSING',
  409,
  (p) =>
    `Votre ${p.missing.join(' et votre ')} de correspondance ${p.missing.length > 1 ? 'ne sont' : "n'est"} pas connu${p.missing.length > 1 ? 's' : ''} de l'annuaire.`,
  () =>
    "Mettez à jour vos coordonnées auprès de votre autorité d'enregistrement (votre Ordre, ou l'ARS). La mise à jour est prise en compte sous 48 heures ; vous pourrez alors activer votre e-CPS. Vous pouvez aussi l'activer dès maintenant avec votre carte CPS sur le portail e-CPS.",
);

export const EcpsAdeliNeedsCard = defineError<{ idnat: string }>(
  'ECPS_ADELI_NEEDS_CARD',
  409,
  () => "Un professionnel identifié par un numéro ADELI ne peut activer sa e-CPS qu'avec sa carte CPS.",
  () => 'Activez votre e-CPS avec votre carte CPS sur le portail e-CPS.',
);

export const EcpsUnknownProfessional = defineError<{ idnat: string }>(
  'ECPS_UNKNOWN_PROFESSIONAL',
  404,
  (p) => `Aucun professionnel actif avec l'identifiant ${p.idnat}.`,
  () => "Vérifiez votre identifiant national (8 + RPPS ou 0 + ADELI), tel qu'il figure sur votre carte CPS.",
);

export const EcpsTooManyRequests = defineError<{ retryAfterMinutes: number }>(
  'ECPS_TOO_MANY_REQUESTS',
  429,
  (p) =>
    `Trop de demandes. Réessayez dans ${p.retryAfterMinutes} minute${p.retryAfterMinutes > 1 ? 's' : ''}.`,
);

export const EcpsActivationInvalid = defineError(
  'ECPS_ACTIVATION_INVALID',
  400,
  () => "Ce lien ou ce code d'activation n'est pas valable : il a expiré ou a déjà servi.",
  () => "Demandez une nouvelle activation depuis l'application.",
);

export const EcpsWrongActivationCode = defineError<{ remaining: number }>(
  'ECPS_WRONG_ACTIVATION_CODE',
  400,
  (p) =>
    `Code d'activation incorrect. ${p.remaining > 0 ? `Il vous reste ${p.remaining} essai${p.remaining > 1 ? 's' : ''}.` : "L'activation est annulée."}`,
);

export const EcpsWeakPin = defineError(
  'ECPS_WEAK_PIN',
  400,
  () => 'Ce mot de passe est trop simple (chiffres identiques ou qui se suivent).',
  () => 'Choisissez 4 chiffres difficiles à deviner, différents de votre code de carte CPS.',
);

export const EcpsInvalidPinFormat = defineError(
  'ECPS_INVALID_PIN_FORMAT',
  400,
  () => 'Le mot de passe de la e-CPS compte exactement 4 chiffres.',
);

export const EcpsNotActivated = defineError<{ idnat: string }>(
  'ECPS_NOT_ACTIVATED',
  404,
  () => "Aucune e-CPS n'est active pour cet identifiant.",
  () =>
    "Activez votre e-CPS depuis l'application e-CPS (« Demander l'activation de la e-CPS ») ou sur le portail e-CPS avec votre carte.",
);

export const EcpsRequestNotPending = defineError<{ status: string }>(
  'ECPS_REQUEST_NOT_PENDING',
  409,
  (p) =>
    p.status === 'expired'
      ? 'La demande de connexion a expiré.'
      : p.status === 'denied'
        ? 'La demande de connexion a été refusée.'
        : p.status === 'cancelled'
          ? 'La demande de connexion a été annulée.'
          : 'La demande de connexion a déjà été traitée.',
  () => 'Recommencez la connexion depuis le service.',
);

export const EcpsWrongCode = defineError(
  'ECPS_WRONG_CODE',
  400,
  () => "Le code choisi n'est pas celui affiché sur l'écran de connexion : la demande est annulée.",
  () => "Si vous n'êtes pas à l'origine de cette demande, ne faites rien. Sinon, recommencez la connexion.",
);

export const EcpsWrongPin = defineError<{ remaining: number }>(
  'ECPS_WRONG_PIN',
  401,
  (p) =>
    `Mot de passe incorrect. Il vous reste ${p.remaining} essai${p.remaining > 1 ? 's' : ''} avant le blocage de la e-CPS.`,
);

export const EcpsBlocked = defineError(
  'ECPS_BLOCKED',
  423,
  () => 'Votre e-CPS est bloquée après trois mots de passe erronés.',
  () =>
    "Activez-la de nouveau (« mot de passe oublié » sur le portail e-CPS, ou une nouvelle activation depuis l'application).",
);

export const EcpsDeviceUnauthorized = defineError<{ reason: string }>(
  'ECPS_DEVICE_UNAUTHORIZED',
  401,
  (p) => `Appel de l'application refusé (${p.reason}).`,
  () => "Si l'application a été désactivée, activez de nouveau votre e-CPS.",
);

export const EcpsExpired = defineError<{ expiredAt: string }>(
  'ECPS_EXPIRED',
  410,
  (p) =>
    `Votre e-CPS a expiré le ${new Date(p.expiredAt).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}.`,
  () => "Supprimez-la dans l'application (« Supprimer ma e-CPS ») et activez-la de nouveau.",
);

export const EcpsDeviceNotFound = defineError(
  'ECPS_DEVICE_NOT_FOUND',
  404,
  () => "Cet appareil n'a pas (ou plus) de e-CPS.",
  () => 'Rechargez la liste de vos appareils.',
);

export const EcpsRecoveryInvalid = defineError(
  'ECPS_RECOVERY_INVALID',
  400,
  () => "Ce lien ou ce code de vérification n'est pas valable : il a expiré ou a déjà servi.",
  () => '« Mot de passe oublié » : recommencez la demande sur le portail e-CPS.',
);

export const EcpsWrongRecoveryCode = defineError<{ remaining: number }>(
  'ECPS_WRONG_RECOVERY_CODE',
  400,
  (p) =>
    `Code de vérification incorrect. ${p.remaining > 0 ? `Il vous reste ${p.remaining} essai${p.remaining > 1 ? 's' : ''}.` : 'La demande est annulée.'}`,
);
