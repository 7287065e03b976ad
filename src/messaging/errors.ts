import { defineError } from '../platform/errors/index.ts';

// The transport's own reason (refused connection, gateway status) stays out of the details: it
// reaches professionals through the APIs; it is logged for the operator instead.

export const MailNotSent = defineError(
  'MESSAGING_MAIL_NOT_SENT',
  503,
  () => "L'e-mail n'a pas pu être envoyé.",
  () => 'Réessayez dans quelques minutes. Si le problème persiste, contactez votre assistance.',
);

export const SmsNotSent = defineError(
  'MESSAGING_SMS_NOT_SENT',
  503,
  () => "Le SMS n'a pas pu être envoyé.",
  () => 'Réessayez dans quelques minutes. Si le problème persiste, contactez votre assistance.',
);
