import { defineError } from '../platform/index.ts';

export const PortalLoginRequired = defineError(
  'PORTAL_LOGIN_REQUIRED',
  401,
  () => 'Votre session du portail e-CPS a expiré, ou vous ne vous êtes pas encore connecté.',
  () => 'Connectez-vous de nouveau avec votre carte CPS.',
);

export const PortalCardRequired = defineError(
  'PORTAL_CARD_REQUIRED',
  403,
  () => 'Cette action demande une connexion avec votre carte CPS.',
  () => 'Connectez-vous avec votre carte CPS, ou activez la e-CPS sans carte depuis l’application.',
);

export const PortalForbiddenRequest = defineError<{ reason: string }>(
  'PORTAL_FORBIDDEN_REQUEST',
  403,
  (p) => `Requête refusée (${p.reason}).`,
  () => 'Rechargez la page du portail et recommencez.',
);

export const PortalTermsNotAccepted = defineError(
  'PORTAL_TERMS_NOT_ACCEPTED',
  400,
  () => "Vous devez accepter les conditions générales d'utilisation pour activer la e-CPS.",
  () => 'Cochez la case « J’ai lu et j’accepte les conditions générales d’utilisation ».',
);
