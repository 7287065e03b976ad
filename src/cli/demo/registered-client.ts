import { addClient, getClient, loadClientSecretKey, newClientSecret, type OidcDb } from '../../oidc/index.ts';
import type { System } from '../system.ts';

/**
 * Registers one of the deployment's own relying parties with the provider, as an operator would
 * with `caducee client add`: once, and again (keeping its secret) when its metadata changed, for
 * instance because the service's URL moved.
 */
export async function ensureRegisteredClient(
  system: System,
  metadata: { client_id: string } & Record<string, unknown>,
): Promise<{ clientId: string; clientSecret: string }> {
  const db = system.store.db as OidcDb;
  const key = loadClientSecretKey(system.settings);
  const existing = await getClient(db, key, metadata.client_id);
  const same =
    existing &&
    Object.entries(metadata).every(
      ([name, value]) => JSON.stringify(existing[name]) === JSON.stringify(value),
    );
  if (existing && same) return { clientId: metadata.client_id, clientSecret: String(existing.client_secret) };
  const clientSecret = existing ? String(existing.client_secret) : newClientSecret();
  if (existing) await db.deleteFrom('oidc_client').where('client_id', '=', metadata.client_id).execute();
  await addClient(db, key, { ...metadata, client_secret: clientSecret });
  return { clientId: metadata.client_id, clientSecret };
}
