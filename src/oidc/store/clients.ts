import { ClientInvalid } from '../errors.ts';
import type { OidcDb } from './tables.ts';

/** Client metadata as oidc-provider reads it (snake_case, `client_id` required). */
export type ClientMetadata = Record<string, unknown> & { client_id: string };

export async function addClient(db: OidcDb, metadata: ClientMetadata, now = new Date()): Promise<void> {
  // Checked first so that the CLI reports a duplicate in words rather than as a constraint error.
  if (await getClient(db, metadata.client_id)) {
    throw ClientInvalid({ reason: `l'identifiant ${metadata.client_id} est déjà enregistré` });
  }
  await db
    .insertInto('oidc_client')
    .values({
      client_id: metadata.client_id,
      metadata: JSON.stringify(metadata),
      created_at: now.toISOString(),
    })
    .execute();
}

export async function listClients(db: OidcDb): Promise<ClientMetadata[]> {
  const rows = await db
    .selectFrom('oidc_client')
    .select('metadata')
    .orderBy('created_at')
    .orderBy('client_id')
    .execute();
  return rows.map((row) => JSON.parse(row.metadata) as ClientMetadata);
}

export async function getClient(db: OidcDb, clientId: string): Promise<ClientMetadata | undefined> {
  const row = await db
    .selectFrom('oidc_client')
    .select('metadata')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.metadata) as ClientMetadata) : undefined;
}

/** False when no such client was registered. */
export async function removeClient(db: OidcDb, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('oidc_client').where('client_id', '=', clientId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
