/**
 * The professionals' mailboxes, in the driver: a real SMTP server on loopback that the
 * deployment's mail sender is pointed at (`CADUCEE_MESSAGING_SMTP_URL`), as a production
 * deployment is pointed at its mail relay. Receiving and reading the mail costs the driver, not
 * the servers, as a relay and the professional's mail client would cost them nothing.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  text: string;
}

/** The text of a single-part message as nodemailer writes it (quoted-printable, base64 or 8 bit). */
function bodyText(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).toLowerCase();
  const body = raw.slice(split + 4);
  if (/content-transfer-encoding:\s*base64/.test(headers))
    return Buffer.from(body, 'base64').toString('utf8');
  if (/content-transfer-encoding:\s*quoted-printable/.test(headers)) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

export class Mailbox {
  readonly #server: SMTPServer;
  /** Mails not asked for yet, by recipient (the code may arrive before or after the page). */
  readonly #waiting = new Map<string, ReceivedMail[]>();
  /** Readers waiting for a mail, by recipient. */
  readonly #readers = new Map<string, { resolve(mail: ReceivedMail): void; cancel(): void }>();
  received = 0;
  port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      // A relay would look the sender's address up; on loopback that only waits on the resolver.
      disableReverseLookup: true,
      // Default limit of one process: 100 sockets would throttle the deployment's mail at the peak.
      maxClients: 10_000,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const text = bodyText(Buffer.concat(chunks).toString('latin1'));
          for (const { address } of session.envelope.rcptTo)
            this.#deliver({ to: address.toLowerCase(), text });
          callback();
        });
      },
    });
  }

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.port = (this.#server.server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #deliver(mail: ReceivedMail) {
    this.received++;
    const reader = this.#readers.get(mail.to);
    if (reader) {
      this.#readers.delete(mail.to);
      reader.resolve(mail);
      return;
    }
    const queue = this.#waiting.get(mail.to) ?? [];
    queue.push(mail);
    this.#waiting.set(mail.to, queue);
  }

  /** The next mail to `to` (already arrived, or arriving within `timeoutMs`). */
  next(to: string, timeoutMs = 30_000): Promise<ReceivedMail> {
    const address = to.toLowerCase();
    const queue = this.#waiting.get(address);
    const first = queue?.shift();
    if (first) {
      if (queue!.length === 0) this.#waiting.delete(address);
      return Promise.resolve(first);
    }
    if (this.#readers.has(address)) return Promise.reject(new Error(`two readers of ${address}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#readers.delete(address);
        reject(new Error(`no e-mail to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#readers.set(address, {
        resolve(mail) {
          clearTimeout(timer);
          resolve(mail);
        },
        cancel() {
          clearTimeout(timer);
          reject(new Error(`reading ${address} given up`));
        },
      });
    });
  }

  /** Forgets mails nobody read and stops waiting (a login that failed on the way). */
  discard(to: string) {
    const address = to.toLowerCase();
    this.#waiting.delete(address);
    this.#readers.get(address)?.cancel();
    this.#readers.delete(address);
  }
}
