import type { Kysely } from 'kysely';

export interface CardTable {
  /** Certificate serial, lower-case hex. */
  serial: string;
  idnat: string;
  subject: string;
  not_before: string;
  not_after: string;
  status: 'active' | 'revoked';
  revoked_at: string | null;
  issued_at: string;
  certificate: string;
}

/** The latest CRL of each authority, shared by every node. */
export interface CardCrlTable {
  authority: string;
  crl_number: number;
  der: string;
  this_update: string;
}

/** Assertions already consumed (single use), kept until they expire. */
export interface CardAssertionUseTable {
  jti: string;
  expires_at: string;
}

/** Key the card host signs assertions with (ES256), readable by the main origin. */
export interface CardHostKeyTable {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
}

/** A card login begun on the main origin, waiting for the card host's assertion. */
export interface CardLoginRequestTable {
  rid: string;
  nonce: string;
  expires_at: string;
  /** Where to go with the result (the OpenID interaction, or the card login page). */
  purpose: string;
}

export interface CardTables {
  card: CardTable;
  card_crl: CardCrlTable;
  card_assertion_use: CardAssertionUseTable;
  card_host_key: CardHostKeyTable;
  card_login_request: CardLoginRequestTable;
}

export type CardsDb = Kysely<CardTables>;
