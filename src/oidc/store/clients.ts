import { randomBytes } from 'node:crypto';
import { ClientInvalid } from '../errors.ts';
import type { ClientSecretKey } from '../keys/client-secret-key.ts';
import { clientFromRow, sealClientSecret, secretOpener } from './client-secrets.ts';
import type { OidcDb } from './tables.ts';

/** Client metadata as oidc-provider reads it (snake_case, `client_id` required). */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

/** A new client secret: 256 random bits. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Registers a client; its `client_secret`, if any, is stored sealed, apart from the metadata. */
export async function addClient(
  db: OidcDb,
  key: ClientSecretKey,
  metadata: ClientMetadata,
  now = new Date(),
): Promise<void> {
  // Checked first so that the CLI reports a duplicate in words rather than as a constraint error.
  if (await clientExists(db, metadata.client_id)) {
    throw ClientInvalid({ reason: `l'identifiant ${metadata.client_id} est déjà enregistré` });
  }
  await db
    .insertInto('oidc_client')
    .values(clientRow(key, metadata, now))
    .execute();
}

/**
 * The stored row of a client: its metadata without the secret, the secret sealed apart. Also what
 * the benchmark writes in bulk for its 20 000 clients.
 */
export function clientRow(key: ClientSecretKey, metadata: ClientMetadata, now = new Date()) {
  const { client_secret: secret, ...rest } = metadata;
  if (secret !== undefined && typeof secret !== 'string')
    throw ClientInvalid({ reason: 'client_secret doit être une chaîne' });
  return {
    client_id: metadata.client_id,
    metadata: JSON.stringify(rest),
    secret_sealed: secret === undefined ? null : sealClientSecret(key, metadata.client_id, secret),
    created_at: now.toISOString(),
  };
}

/** Registered clients, without their secrets. */
export async function listClients(db: OidcDb): Promise<ClientMetadata[]> {
  const rows = await db
    .selectFrom('oidc_client')
    .select('metadata')
    .orderBy('created_at')
    .orderBy('client_id')
    .execute();
  return rows.map((row) => {
    // A row not sealed yet still holds its secret in the metadata: it is not listed either.
    const { client_secret: _secret, ...metadata } = JSON.parse(row.metadata) as ClientMetadata;
    return metadata;
  });
}

/** One client as the provider reads it, secret in clear. */
export async function getClient(
  db: OidcDb,
  key: ClientSecretKey,
  clientId: string,
): Promise<ClientMetadata | undefined> {
  const row = await db
    .selectFrom('oidc_client')
    .select(['client_id', 'metadata', 'secret_sealed'])
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row ? clientFromRow(secretOpener(key), row) : undefined;
}

async function clientExists(db: OidcDb, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('oidc_client')
    .select('client_id')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Gives a client a new secret and returns it; the old one stops working at once (the provider
 * reads clients from the store at each request). Undefined when no such client was registered.
 * A client authenticating by key or as a public client is given none.
 */
export async function rotateClientSecret(
  db: OidcDb,
  key: ClientSecretKey,
  clientId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('oidc_client')
    .select(['metadata'])
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { client_secret: _old, ...metadata } = JSON.parse(row.metadata) as ClientMetadata;
  const method = String(metadata.token_endpoint_auth_method ?? 'client_secret_basic');
  if (!method.startsWith('client_secret')) {
    throw ClientInvalid({
      reason: `le client ${clientId} s'authentifie par ${method} : il n'a pas de secret à renouveler`,
    });
  }
  const secret = newClientSecret();
  await db
    .updateTable('oidc_client')
    .set({ metadata: JSON.stringify(metadata), secret_sealed: sealClientSecret(key, clientId, secret) })
    .where('client_id', '=', clientId)
    .execute();
  return secret;
}

/** False when no such client was registered. */
export async function removeClient(db: OidcDb, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('oidc_client').where('client_id', '=', clientId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
