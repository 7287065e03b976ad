import type { Kysely } from 'kysely';

/** Messages caught by the embedded default (dev outbox), in the database so every process sees them. */
export interface MessagingOutboxTable {
  id: string;
  kind: 'mail' | 'sms';
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  /** JSON: `[{filename, contentType, cid, content}]`, content in base64. */
  attachments: string;
  /** ISO 8601, strictly increasing within a process, so that "newest first" keeps sending order. */
  at: string;
}

export interface MessagingTables {
  messaging_outbox: MessagingOutboxTable;
}

export type MessagingDb = Kysely<MessagingTables>;
