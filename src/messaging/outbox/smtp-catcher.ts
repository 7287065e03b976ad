import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../platform/index.ts';
import type { Outbox } from './outbox.ts';

/** Larger mails are refused: the outbox keeps attachments in the database. */
export const CATCHER_MAX_BYTES = 5 * 1024 * 1024;

export interface SmtpCatcher {
  port: number;
  close(): Promise<void>;
}

/**
 * The embedded SMTP server of the dev outbox: mails really travel over SMTP (nodemailer → here)
 * and land in the outbox instead of being delivered. Without authentication or TLS, it must only
 * ever listen on loopback, hence no host option. Port 0 picks a free port.
 */
export function startSmtpCatcher(
  outbox: Outbox,
  options: { port: number; log?: Logger },
): Promise<SmtpCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    banner: 'Caducée — boîte d’envoi de développement (rien n’est distribué)',
    size: CATCHER_MAX_BYTES,
    onData(stream, session, callback) {
      simpleParser(stream, { keepCidLinks: true })
        .then(async (parsed) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
            return;
          }
          // The envelope says who it was really sent to, as bare addresses, Bcc included.
          const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
          await outbox.add({
            kind: 'mail',
            to,
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? 'piece-jointe',
              contentType: a.contentType,
              cid: a.cid ?? null,
              content: a.content,
            })),
          });
          callback();
        })
        .catch((error: Error) => {
          options.log?.error({ err: error }, 'dev outbox: mail not stored');
          callback(Object.assign(new Error('Mail not stored in the outbox'), { responseCode: 451 }));
        });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      server.on('error', (error) => options.log?.warn({ err: error }, 'dev outbox: SMTP catcher error'));
      const { port } = server.server.address() as AddressInfo;
      resolve({ port, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
