import nodemailer from 'nodemailer';
import type { Logger } from '../../../platform/index.ts';
import { MailNotSent } from '../../errors.ts';
import type { Mail, MailSender } from '../../ports.ts';

export interface SmtpMailOptions {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://host:465`. */
  url: string;
  /** The From header, e.g. `Caducée <ne-pas-repondre@example.org>`. */
  from: string;
  log?: Logger;
}

/** E-mail over SMTP (nodemailer): a real server in production, the embedded catcher in dev. */
export function smtpMailSender(options: SmtpMailOptions): MailSender {
  // Nodemailer waits minutes by default; a professional waiting on a page must get an answer soon.
  // Pooled: a connection (and its greeting, EHLO, STARTTLS, AUTH) per mail cost more server CPU
  // than the rest of an e-mail code login but argon2id, and 100 ms at the relay (measured with
  // the bench's password logins); idle connections are closed after a few seconds.
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: 5,
    idleTimeout: 5_000,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail: Mail) {
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          attachments: mail.attachments?.map((a) => ({
            filename: a.filename,
            content: a.content,
            cid: a.cid,
            contentType: a.contentType,
          })),
        });
      } catch (error) {
        options.log?.warn({ err: error, subject: mail.subject }, 'e-mail not sent');
        throw MailNotSent({}, error);
      }
    },
    close() {
      transport.close();
    },
  };
}
