import type { Kysely } from 'kysely';

/** A phone holding an e-CPS: its public key, its PIN (HMAC only) and its state. */
export interface EcpsDeviceTable {
  id: string;
  idnat: string;
  public_jwk: string;
  /** pending (activation under way), active, blocked (3 wrong PINs), revoked (deactivated). */
  status: 'pending' | 'active' | 'blocked' | 'revoked';
  pin_mac: string | null;
  pin_failures: number;
  activation_mode: 'card' | 'mail_sms';
  name: string;
  model: string;
  os: string;
  app_version: string;
  created_at: string;
  activated_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** When the "your e-CPS expires soon" e-mail went out (once per activation). */
  reminder_sent_at: string | null;
  /** The app's Web Push subscription (JSON), if it gave one. */
  push_subscription: string | null;
}

/** One activation in progress: link (e-mail or QR), then SMS or screen code, then PIN. */
export interface EcpsActivationTable {
  id: string;
  idnat: string;
  mode: 'card' | 'mail_sms';
  /** SHA-256 of the single-use token carried by the link or QR code. */
  token_hash: string;
  token_expires_at: string;
  token_used_at: string | null;
  device_id: string | null;
  code_hash: string | null;
  code_expires_at: string | null;
  code_attempts: number;
  code_confirmed_at: string | null;
  status: 'open' | 'done' | 'failed';
  created_at: string;
  /** Address that asked for it; null for card activations' own checks. */
  request_ip: string | null;
  /** That address as the per-address limit counts it (an IPv6 /64 as one); null before it was kept. */
  request_network: string | null;
}

/**
 * "Mot de passe oublié" without a card: an e-mailed link (single use), then a code by SMS; passing
 * both proves the professional holds the directory's contacts and may remove the e-CPS.
 */
export interface EcpsRecoveryTable {
  id: string;
  idnat: string;
  token_hash: string;
  token_expires_at: string;
  token_used_at: string | null;
  code_hash: string | null;
  code_expires_at: string | null;
  code_attempts: number;
  status: 'open' | 'done' | 'failed';
  request_ip: string | null;
  /** As in EcpsActivationTable. */
  request_network: string | null;
  created_at: string;
}

/** A login (browser or CIBA) waiting for the professional's approval on the phone. */
export interface EcpsAuthRequestTable {
  id: string;
  idnat: string;
  client_name: string;
  binding_message: string | null;
  /** The "code dynamique" shown on the login page (null for CIBA). */
  code: string | null;
  choices: string;
  status: 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';
  /** What started it: an OpenID interaction uid, a CIBA request id… */
  origin: string;
  device_id: string | null;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  /** Address of the browser or client that asked for the login. */
  request_ip: string | null;
  /** The professional said "ce n'était pas moi". */
  reported_at: string | null;
}

/** JWS ids already presented by apps (replay protection), kept until they expire. */
export interface EcpsSeenJtiTable {
  jti: string;
  expires_at: string;
}

export interface EcpsTables {
  ecps_device: EcpsDeviceTable;
  ecps_activation: EcpsActivationTable;
  ecps_auth_request: EcpsAuthRequestTable;
  ecps_seen_jti: EcpsSeenJtiTable;
  ecps_recovery: EcpsRecoveryTable;
}

export type EcpsDb = Kysely<EcpsTables>;
