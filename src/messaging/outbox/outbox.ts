import { randomUUID } from 'node:crypto';
import type { MessagingDb } from '../store/tables.ts';

/** One message as `/api/messages` shows it (DESIGN §5). */
export interface OutboxMessage {
  id: string;
  kind: 'mail' | 'sms';
  to: string;
  /** Null for an SMS. */
  subject: string | null;
  text: string;
  /** Null for an SMS or a text-only mail. */
  html: string | null;
  at: string;
}

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  /** Content-ID of an image shown inside the HTML body. */
  cid: string | null;
  content: Buffer;
}

/** A message with what its attachments are, without their bytes (for listing them). */
export interface OutboxEntry extends OutboxMessage {
  attachments: Array<Omit<OutboxAttachment, 'content'> & { size: number }>;
}

export type NewOutboxMessage = Omit<OutboxMessage, 'id' | 'at'> & { attachments?: OutboxAttachment[] };

interface StoredAttachment {
  filename: string;
  contentType: string;
  cid: string | null;
  content: string;
}

/** The dev outbox never grows past this: it is a window on what was sent lately, not an archive. */
export const OUTBOX_KEPT = 500;

// Shared by every Outbox of the process (catcher and SMS adapter may hold different ones).
let lastAt = '';

function nextAt(): string {
  let at = new Date().toISOString();
  if (at <= lastAt) at = new Date(Date.parse(lastAt) + 1).toISOString();
  lastAt = at;
  return at;
}

/** What the embedded deployment "sent": readable by people (outbox page) and by tests (JSON). */
export class Outbox {
  readonly #db: MessagingDb;

  constructor(db: MessagingDb) {
    this.#db = db;
  }

  async add(message: NewOutboxMessage): Promise<OutboxMessage> {
    const stored: OutboxMessage = {
      id: randomUUID(),
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      at: nextAt(),
    };
    const attachments: StoredAttachment[] = (message.attachments ?? []).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      cid: a.cid,
      content: a.content.toString('base64'),
    }));
    await this.#db
      .insertInto('messaging_outbox')
      .values({ ...stored, attachments: JSON.stringify(attachments) })
      .execute();
    await this.#prune();
    return stored;
  }

  /** Newest first. */
  async list(limit = 200): Promise<OutboxMessage[]> {
    return this.#db
      .selectFrom('messaging_outbox')
      .select(['id', 'kind', 'to', 'subject', 'text', 'html', 'at'])
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Newest first, with the attachments' names and types. */
  async entries(limit = 200): Promise<OutboxEntry[]> {
    const rows = await this.#db
      .selectFrom('messaging_outbox')
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(({ attachments, ...message }) => ({
      ...message,
      attachments: (JSON.parse(attachments) as StoredAttachment[]).map(({ content, ...a }) => ({
        ...a,
        size: Buffer.byteLength(content, 'base64'),
      })),
    }));
  }

  async get(id: string): Promise<OutboxMessage | undefined> {
    return this.#db
      .selectFrom('messaging_outbox')
      .select(['id', 'kind', 'to', 'subject', 'text', 'html', 'at'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The attachments of a message, in their order in the mail; [] for an unknown id. */
  async attachments(id: string): Promise<OutboxAttachment[]> {
    const row = await this.#db
      .selectFrom('messaging_outbox')
      .select('attachments')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return [];
    return (JSON.parse(row.attachments) as StoredAttachment[]).map((a) => ({
      ...a,
      content: Buffer.from(a.content, 'base64'),
    }));
  }

  async clear(): Promise<void> {
    await this.#db.deleteFrom('messaging_outbox').execute();
  }

  async #prune(): Promise<void> {
    const oldestKept = await this.#db
      .selectFrom('messaging_outbox')
      .select('at')
      .orderBy('at', 'desc')
      .offset(OUTBOX_KEPT - 1)
      .limit(1)
      .executeTakeFirst();
    if (oldestKept) await this.#db.deleteFrom('messaging_outbox').where('at', '<', oldestKept.at).execute();
  }
}
