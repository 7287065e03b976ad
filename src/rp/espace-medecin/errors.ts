import { defineError } from '../../platform/index.ts';

/** What the espace médecin tells a professional when something is refused (French, with what to do). */

export const LoginRequired = defineError(
  'ESPACE_MEDECIN_LOGIN_REQUIRED',
  401,
  () => "Vous n'êtes pas connecté, ou votre session a expiré.",
  () => 'Connectez-vous de nouveau.',
);

export const ForbiddenRequest = defineError<{ reason: string }>(
  'ESPACE_MEDECIN_FORBIDDEN_REQUEST',
  403,
  (p) => `Requête refusée (${p.reason}).`,
  () => 'Rechargez la page et recommencez.',
);

export const ProviderLoginFailed = defineError<{ reason: string }>(
  'ESPACE_MEDECIN_PROVIDER_LOGIN_FAILED',
  401,
  (p) => `La connexion par carte CPS ou e-CPS n'a pas abouti : ${p.reason}.`,
  () => 'Recommencez la connexion ; si le problème persiste, contactez l’assistance.',
);

export const SignupExpired = defineError(
  'ESPACE_MEDECIN_SIGNUP_EXPIRED',
  400,
  () => "La création de votre compte n'a pas été terminée à temps.",
  () => 'Reconnectez-vous par carte CPS ou e-CPS pour la reprendre.',
);

export const CharterNotAccepted = defineError(
  'ESPACE_MEDECIN_CHARTER_NOT_ACCEPTED',
  400,
  () => "Vous devez accepter la charte d'utilisation pour créer votre compte.",
  () => 'Cochez « J’ai lu et accepte les conditions ci-dessus » puis validez.',
);

/**
 * The same answer for an unknown identifier, an account that never logged in through the
 * provider and a wrong password: the e-mail way must not tell who has an account.
 */
export const EmailLoginRefused = defineError(
  'ESPACE_MEDECIN_EMAIL_LOGIN_REFUSED',
  401,
  () => 'Identifiant ou mot de passe incorrect.',
  () =>
    "L'authentification forte par e-mail n'est ouverte qu'aux comptes créés lors d'une première connexion par carte CPS ou e-CPS. Si vous ne vous êtes jamais connecté ainsi, utilisez « Se connecter par CPS » ou « Se connecter par e-CPS ».",
);

export const TooManyAttempts = defineError<{ retryAfterMinutes: number }>(
  'ESPACE_MEDECIN_TOO_MANY_ATTEMPTS',
  429,
  (p) => `Trop de tentatives. Réessayez dans ${p.retryAfterMinutes} minutes.`,
  () => 'Si vous avez oublié votre mot de passe, utilisez « Mot de passe oublié ? ».',
);

export const WrongCode = defineError<{ triesLeft: number }>(
  'ESPACE_MEDECIN_WRONG_CODE',
  400,
  (p) => `Code incorrect. Il vous reste ${p.triesLeft} essai${p.triesLeft > 1 ? 's' : ''}.`,
  () => 'Saisissez les 6 chiffres du dernier e-mail reçu.',
);

export const CodeExpired = defineError(
  'ESPACE_MEDECIN_CODE_EXPIRED',
  400,
  () => 'Ce code a expiré (il est valable 10 minutes).',
  () => 'Recommencez pour recevoir un nouveau code.',
);

export const CodeUsed = defineError(
  'ESPACE_MEDECIN_CODE_USED',
  400,
  () => 'Ce code a déjà été utilisé.',
  () => 'Recommencez pour recevoir un nouveau code.',
);

export const CodeInvalid = defineError(
  'ESPACE_MEDECIN_CODE_INVALID',
  400,
  () => "Ce code n'est plus valable (trop d'essais, ou demandé depuis un autre navigateur).",
  () => 'Recommencez pour recevoir un nouveau code.',
);

export const ResetLinkInvalid = defineError(
  'ESPACE_MEDECIN_RESET_LINK_INVALID',
  400,
  () => "Ce lien de réinitialisation n'est pas valable : il a expiré ou a déjà servi.",
  () => 'Demandez un nouveau lien avec « Mot de passe oublié ? ».',
);

export const UnknownAccount = defineError<{ idnat: string }>(
  'ESPACE_MEDECIN_UNKNOWN_ACCOUNT',
  404,
  (p) => `Aucun compte de l'espace médecin pour l'identifiant ${p.idnat}.`,
  () => 'Ce professionnel doit d’abord se connecter une fois par carte CPS ou e-CPS pour créer son compte.',
);

export const DelegationInvalid = defineError<{ reason: string }>(
  'ESPACE_MEDECIN_DELEGATION_INVALID',
  400,
  (p) => `Délégation impossible : ${p.reason}.`,
);

export const LinkInvalid = defineError<{ reason: string }>(
  'ESPACE_MEDECIN_LINK_INVALID',
  400,
  (p) => `Liaison impossible : ${p.reason}.`,
);

export const PatientFileNotFound = defineError(
  'ESPACE_MEDECIN_PATIENT_FILE_NOT_FOUND',
  404,
  () => "Dossier introuvable, ou vous n'y avez pas (ou plus) accès.",
  () => 'Un remplaçant n’accède aux dossiers que pendant la période de sa délégation.',
);
