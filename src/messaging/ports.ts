/** The ways Caducée reaches a professional: one small interface each, one adapter per backend. */

export interface MailAttachment {
  filename: string;
  content: Buffer;
  /** Content-ID, for an image shown inside the HTML body (`<img src="cid:…">`). */
  cid?: string;
  contentType?: string;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

/** Resolves once the server accepted the mail; throws MESSAGING_MAIL_NOT_SENT otherwise. */
export interface MailSender {
  send(mail: Mail): Promise<void>;
  /** Closes the connections kept open to the relay, if any. */
  close?(): void;
}

export interface Sms {
  to: string;
  text: string;
}

/** Resolves once the gateway accepted the SMS; throws MESSAGING_SMS_NOT_SENT otherwise. */
export interface SmsSender {
  send(sms: Sms): Promise<void>;
}

/** A browser push subscription (PushSubscription.toJSON()). */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Wakes the e-CPS app on the phone. `gone` means the push service dropped the subscription
 * (app uninstalled, permission withdrawn): forget it.
 */
export interface PushSender {
  /** The VAPID public key the app subscribes with (base64url). */
  readonly publicKey: string;
  send(subscription: PushSubscriptionJson, payload: object): Promise<'sent' | 'gone' | 'failed'>;
}
