import { randomBytes } from 'node:crypto';
import { addClient, getClient, type OidcDb } from '../../oidc/index.ts';
import type { System } from '../system.ts';

const LIEUX_CLIENT_ID = 'lieux-exercice';

/**
 * Registers the lieux d'exercice app as a client of the provider (once; again if its URL
 * changed), as an operator would with `caducee client add`.
 */
export async function ensureLieuxClient(system: System): Promise<{ clientId: string; clientSecret: string }> {
  const db = system.store.db as OidcDb;
  const base = system.settings.lieux.url.replace(/\/$/, '');
  const redirectUri = `${base}/auth/callback`;
  const existing = await getClient(db, LIEUX_CLIENT_ID);
  if (existing && (existing.redirect_uris as string[]).includes(redirectUri)) {
    return { clientId: LIEUX_CLIENT_ID, clientSecret: String(existing.client_secret) };
  }
  const clientSecret = existing ? String(existing.client_secret) : randomBytes(32).toString('base64url');
  if (existing) await db.deleteFrom('oidc_client').where('client_id', '=', LIEUX_CLIENT_ID).execute();
  await addClient(db, {
    client_id: LIEUX_CLIENT_ID,
    client_name: "Lieux d'exercice",
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [`${base}/`],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
  return { clientId: LIEUX_CLIENT_ID, clientSecret };
}
