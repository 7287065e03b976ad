import type { Kysely } from 'kysely';

/**
 * What oidc-provider persists (sessions, interactions, grants, codes, tokens…), one row per
 * model and id. The lookup columns copy the payload fields the provider searches by.
 */
export interface OidcPayloadTable {
  id: string;
  /** oidc-provider's model name (`Session`, `AccessToken`…). */
  model: string;
  /** The payload as JSON. */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** The professional (`f:<deployment>:<idnat>`) a session, grant, code or token belongs to. */
  account_id: string | null;
  /** ISO; null for what does not expire. */
  expires_at: string | null;
  consumed_at: string | null;
}

/** Registered clients (relying parties), managed by the CLI. */
export interface OidcClientTable {
  client_id: string;
  /** The client metadata as JSON, in the provider's snake_case form, without `client_secret`. */
  metadata: string;
  /**
   * `client_secret` encrypted under the key outside the database (`store/client-secrets.ts`); null
   * for a client without secret, or for a row from before sealing whose metadata still holds it.
   */
  secret_sealed: string | null;
  created_at: string;
}

/** Signing keys; retired ones stay published for a grace period. */
export interface OidcKeyTable {
  kid: string;
  alg: string;
  private_jwk: string;
  created_at: string;
  retired_at: string | null;
}

/** Secrets shared by every node: cookie keys, the deployment id. */
export interface OidcSecretTable {
  name: string;
  value: string;
  created_at: string;
}

export interface OidcTables {
  oidc_payload: OidcPayloadTable;
  oidc_client: OidcClientTable;
  oidc_key: OidcKeyTable;
  oidc_secret: OidcSecretTable;
}

export type OidcDb = Kysely<OidcTables>;
