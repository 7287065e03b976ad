import type { Kysely } from 'kysely';

/**
 * A portal session: opened by a card login, or by the e-mail + SMS check of "mot de passe
 * oublié" (which may only remove the e-CPS). Short-lived; the cookie holds the id, the table
 * only its hash.
 */
export interface PortalSessionTable {
  id_hash: string;
  idnat: string;
  method: 'card' | 'mail_sms';
  /** Anti-CSRF token of this session's forms. */
  csrf: string;
  created_at: string;
  expires_at: string;
}

export interface PortalTables {
  portal_session: PortalSessionTable;
}

export type PortalDb = Kysely<PortalTables>;
