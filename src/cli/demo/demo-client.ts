import { randomBytes } from 'node:crypto';
import { addClient, getClient, type OidcDb } from '../../oidc/index.ts';
import type { System } from '../system.ts';

export const DEMO_CLIENT_ID = 'caducee-demo';

/**
 * The client of the demo relying party served at `<idp>/demo`, registered once. Its redirect
 * URIs follow the provider's URL, so they are updated if that changes.
 */
export async function ensureDemoClient(
  system: System,
): Promise<{ clientId: string; clientSecret: string; redirectUri: string }> {
  const db = system.store.db as OidcDb;
  const idp = system.settings.idp.url.replace(/\/$/, '');
  const redirectUri = `${idp}/demo/callback`;
  const existing = await getClient(db, DEMO_CLIENT_ID);
  if (existing && (existing.redirect_uris as string[]).includes(redirectUri)) {
    return { clientId: DEMO_CLIENT_ID, clientSecret: String(existing.client_secret), redirectUri };
  }
  const clientSecret = existing ? String(existing.client_secret) : randomBytes(32).toString('base64url');
  if (existing) await db.deleteFrom('oidc_client').where('client_id', '=', DEMO_CLIENT_ID).execute();
  await addClient(db, {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Service de démonstration',
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [`${idp}/demo/`],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  });
  return { clientId: DEMO_CLIENT_ID, clientSecret, redirectUri };
}
