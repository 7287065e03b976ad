import type { Kysely } from 'kysely';

/**
 * The espace médecin's own database. It holds no copy of the directory: what it knows of a
 * professional came in the claims of a login, or was typed by them. Timestamps are ISO strings;
 * calendar days (delegation periods, birth dates) are `YYYY-MM-DD`.
 */
export interface AccountTable {
  id: string;
  /** National identifier (`preferred_username` of the provider): `8`+RPPS or `0`+ADELI. */
  idnat: string;
  family_name: string;
  given_name: string;
  profession_code: string;
  profession_label: string;
  specialty_code: string;
  specialty_label: string;
  email: string;
  phone: string;
  address: string;
  postcode: string;
  city: string;
  /** argon2id, PHC string. */
  password_hash: string;
  /** Means of the first login that created the account (`card`, `ecps`). */
  created_by: string;
  charter_accepted_at: string;
  created_at: string;
  updated_at: string;
}

/**
 * A browser session. Every visitor gets one (it carries the form token and the login in
 * progress); `account_id` is set once logged in. The cookie holds the id, the table its hash.
 */
export interface SessionTable {
  id_hash: string;
  csrf: string;
  /** The account being used (may be a linked account switched to). */
  account_id: string | null;
  /** The account that authenticated: switching is allowed among it and its linked accounts. */
  login_account_id: string | null;
  /** `card`, `ecps`, `email`, or null before login. */
  method: string | null;
  /** Provider session (`sid`) and subject: back-channel logout names them. */
  oidc_sid: string | null;
  oidc_sub: string | null;
  /** ID token kept for RP-initiated logout (`id_token_hint`). */
  id_token: string | null;
  /** JSON: the OIDC login in progress, the account creation waiting for the charter. */
  data: string;
  created_at: string;
  expires_at: string;
}

/** A 6-digit code sent by e-mail: login by e-mail, or proof of a second account to link. */
export interface EmailCodeTable {
  id: string;
  /** The account whose e-mail received the code. */
  account_id: string;
  purpose: 'login' | 'link';
  /** For `link`: the account that asked to link. */
  requester_id: string | null;
  /** The session that asked: the code only works in that browser. */
  session_hash: string;
  /** HMAC of the code under the application key (never the code). */
  code_mac: string;
  tries_left: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface PasswordResetTable {
  token_hash: string;
  account_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** Failed or counted attempts (passwords, codes, e-mails asked) for the rate limits. */
export interface AttemptTable {
  id: string;
  key: string;
  at: string;
}

/** `jti` of back-channel logout tokens already honoured (a replayed token is refused). */
export interface LogoutTokenTable {
  jti: string;
  expires_at: string;
}

export interface DelegationTable {
  id: string;
  delegator_id: string;
  delegate_id: string;
  /** First and last day (Europe/Paris) of the delegation, inclusive. */
  starts_on: string;
  ends_on: string;
  created_at: string;
  /** Ended early by the delegator. */
  revoked_at: string | null;
}

/** Two accounts of the same person (mixed practice); stored once, `account_a` < `account_b`. */
export interface AccountLinkTable {
  account_a: string;
  account_b: string;
  created_at: string;
}

export interface PatientFileTable {
  id: string;
  /** The professional whose patient it is. */
  owner_id: string;
  family_name: string;
  given_name: string;
  birth_date: string;
  status: 'en_cours' | 'admis' | 'clos';
  created_at: string;
  updated_at: string;
}

/** Who did what on a patient file, and for whom (a replacement acts for the owner). */
export interface PatientActivityTable {
  id: string;
  file_id: string;
  at: string;
  actor_id: string;
  on_behalf_of_id: string;
  action: 'creation' | 'consultation' | 'statut';
  detail: string;
}

export interface EspaceMedecinTables {
  account: AccountTable;
  session: SessionTable;
  email_code: EmailCodeTable;
  password_reset: PasswordResetTable;
  attempt: AttemptTable;
  logout_token: LogoutTokenTable;
  delegation: DelegationTable;
  account_link: AccountLinkTable;
  patient_file: PatientFileTable;
  patient_activity: PatientActivityTable;
}

export type EspaceMedecinDb = Kysely<EspaceMedecinTables>;
