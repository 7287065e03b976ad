import { defineError } from '../platform/errors/index.ts';
import { frenchDelay } from '../platform/rate-limit/index.ts';

/** Why a card is not accepted: each has its page, its code and its audit event. */
export const CardNotPresented = defineError(
  'CARD_NOT_PRESENTED',
  401,
  () => "Aucune carte CPS n'a été présentée.",
  () =>
    'Vérifiez que la carte est insérée dans le lecteur, que le lecteur est branché et que le logiciel de la carte (Cryptolib CPS) est installé, puis réessayez. Si le navigateur vous demande un certificat, choisissez celui de votre carte et saisissez votre code porteur.',
);

export const CardExpired = defineError<{ notAfter: string }>(
  'CARD_EXPIRED',
  401,
  (p) =>
    `Votre carte CPS a expiré le ${new Date(p.notAfter).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}.`,
  () => 'Utilisez votre nouvelle carte, ou demandez son renouvellement à votre autorité d’enregistrement.',
);

export const CardNotYetValid = defineError<{ notBefore: string }>(
  'CARD_NOT_YET_VALID',
  401,
  (p) =>
    `Votre carte CPS n'est valable qu'à partir du ${new Date(p.notBefore).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' })}.`,
  () => "Vérifiez la date et l'heure de votre ordinateur, ou utilisez votre carte actuelle.",
);

export const CardRevoked = defineError<{ serial: string }>(
  'CARD_REVOKED',
  401,
  () => 'Votre carte CPS a été mise en opposition : elle ne peut plus être utilisée.',
  () =>
    'Si vous n’êtes pas à l’origine de cette opposition, contactez votre autorité d’enregistrement. Une nouvelle carte vous sera délivrée.',
);

export const CardUnknownIssuer = defineError<{ issuer: string }>(
  'CARD_UNKNOWN_ISSUER',
  401,
  () => "Le certificat présenté n'a pas été émis par l'autorité de certification des cartes CPS.",
  () =>
    'Choisissez le certificat de votre carte CPS (et non un autre certificat installé sur l’ordinateur), puis réessayez.',
);

export const CardBadUsage = defineError<{ reason: string }>(
  'CARD_BAD_USAGE',
  401,
  (p) => `Ce certificat ne peut pas servir à l'authentification (${p.reason}).`,
  () => 'Choisissez le certificat d’authentification de votre carte CPS.',
);

export const CardUnknownPerson = defineError<{ idnat: string }>(
  'CARD_UNKNOWN_PERSON',
  401,
  (p) => `Aucun professionnel actif de l'annuaire ne correspond à la carte (identifiant ${p.idnat}).`,
  () =>
    'Votre inscription doit être à jour auprès de votre autorité d’enregistrement (Ordre, ARS…). Contactez-la.',
);

export const CardUnreadableSubject = defineError<{ subject: string }>(
  'CARD_UNREADABLE_SUBJECT',
  401,
  () => "L'identité du porteur n'a pas pu être lue dans le certificat de la carte.",
  () =>
    'Les cartes d’établissement (CPE, CPA) ne permettent pas cette connexion : utilisez votre carte CPS personnelle.',
);

export const CardAssertionInvalid = defineError<{ reason: string }>(
  'CARD_ASSERTION_INVALID',
  401,
  (p) => `La connexion par carte n'a pas pu être vérifiée (${p.reason}).`,
  () => 'Recommencez la connexion depuis le début.',
);

export const CardAssertionReplayed = defineError(
  'CARD_ASSERTION_REPLAYED',
  401,
  () => 'Cette connexion par carte a déjà été utilisée.',
  () => 'Recommencez la connexion depuis le début.',
);

export const CardLoginExpired = defineError(
  'CARD_LOGIN_EXPIRED',
  401,
  () => 'La demande de connexion par carte a expiré ou est inconnue.',
  () => 'Recommencez la connexion depuis le début.',
);

export const CardNotFound = defineError<{ reference: string }>(
  'CARD_NOT_FOUND',
  404,
  (p) => `Aucune carte ne correspond à « ${p.reference} ».`,
  () => 'Donnez le numéro de série de la carte ou l’identifiant national de son porteur (caducee card list).',
);

export const CardInvalidPin = defineError(
  'CARD_INVALID_PIN',
  400,
  () => 'Le code porteur doit compter exactement 4 chiffres.',
);

export const CardHolderInactive = defineError<{ idnat: string }>(
  'CARD_HOLDER_INACTIVE',
  409,
  (p) => `Le professionnel ${p.idnat} n'est pas actif dans l'annuaire : pas de carte.`,
);

export const CardReturnNotAllowed = defineError<{ url: string }>(
  'CARD_RETURN_NOT_ALLOWED',
  400,
  (p) => `Adresse de retour non autorisée : ${p.url}.`,
  () => 'La connexion par carte doit être lancée depuis le service Caducée.',
);

export const CardTooManyAttempts = defineError<{ retryAfterSeconds: number; per: 'address' | 'card' }>(
  'CARD_TOO_MANY_ATTEMPTS',
  429,
  (p) =>
    `Trop de connexions par carte ${p.per === 'card' ? 'avec cette carte' : 'depuis ce poste'} en peu de temps. Réessayez dans ${frenchDelay(p.retryAfterSeconds)}.`,
  () =>
    "Si vous n'êtes pas à l'origine de ces tentatives, gardez votre carte avec vous et prévenez votre assistance.",
);
