/** E-mail (SMTP), SMS (gateway), and the dev outbox of the embedded default. */
export * as messagingErrors from './errors.ts';
export { smtpMailSender } from './mail/smtp/index.ts';
export { createMessaging, type Messaging } from './messaging.ts';
export { Outbox, type OutboxAttachment, type OutboxEntry, type OutboxMessage } from './outbox/outbox.ts';
export { type OutboxServerOptions, outboxApp, startOutbox } from './outbox/outbox-app.ts';
export { type SmtpCatcher, startSmtpCatcher } from './outbox/smtp-catcher.ts';
export type {
  Mail,
  MailAttachment,
  MailSender,
  PushSender,
  PushSubscriptionJson,
  Sms,
  SmsSender,
} from './ports.ts';
export { loadVapidKeys, webPushSender } from './push/web-push/index.ts';
export { httpSmsSender } from './sms/http/index.ts';
export { outboxSmsSender } from './sms/outbox/index.ts';
export { messagingMigrations } from './store/migrations.ts';
export type { MessagingDb } from './store/tables.ts';
