import path from 'node:path';
import type { Logger, Settings, Store } from '../platform/index.ts';
import { smtpMailSender } from './mail/smtp/index.ts';
import { Outbox } from './outbox/outbox.ts';
import type { MailSender, PushSender, SmsSender } from './ports.ts';
import { loadVapidKeys, webPushSender } from './push/web-push/index.ts';
import { httpSmsSender } from './sms/http/index.ts';
import { outboxSmsSender } from './sms/outbox/index.ts';
import type { MessagingDb } from './store/tables.ts';

export interface Messaging {
  mail: MailSender;
  sms: SmsSender;
  /** The dev outbox: read and clear what the embedded default "sent". */
  outbox: Outbox;
  /** Mails go to the embedded SMTP catcher (`messaging.smtpUrl` empty): it must run somewhere. */
  embedded: boolean;
  /** Mails or SMS land in the outbox: its pages are worth serving. */
  usesOutbox: boolean;
  /** Web Push to the e-CPS app, unless switched off. */
  push?: PushSender;
}

/**
 * Chooses the adapters from the settings. Without an SMTP URL, mails still travel over real SMTP,
 * to the embedded catcher on 127.0.0.1; without a gateway URL, SMS are written to the outbox.
 */
export function createMessaging(options: { settings: Settings; store: Store; log?: Logger }): Messaging {
  const { messaging } = options.settings;
  const { log } = options;
  const outbox = new Outbox(options.store.db as MessagingDb);
  const embedded = messaging.smtpUrl === '';
  const smsToOutbox = messaging.smsGatewayUrl === '';
  return {
    mail: smtpMailSender({
      url: embedded ? `smtp://127.0.0.1:${messaging.catcherPort}` : messaging.smtpUrl,
      from: messaging.from,
      log,
    }),
    sms: smsToOutbox
      ? outboxSmsSender(outbox, log)
      : httpSmsSender({
          url: messaging.smsGatewayUrl,
          token: messaging.smsGatewayToken,
          from: messaging.smsFrom,
          log,
        }),
    outbox,
    embedded,
    usesOutbox: embedded || smsToOutbox,
    push: messaging.webPush
      ? webPushSender({
          keys: loadVapidKeys(
            messaging.vapidKeyFile || path.join(options.settings.dataDir, 'secrets', 'vapid.json'),
          ),
          subject: messaging.vapidSubject,
          log,
        })
      : undefined,
  };
}
