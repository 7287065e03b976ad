import { randomBytes } from 'node:crypto';
import { addClient, getClient, type OidcDb } from '../../oidc/index.ts';
import { ESPACE_MEDECIN_PATHS } from '../../rp/index.ts';
import type { System } from '../system.ts';

export const ESPACE_MEDECIN_CLIENT_ID = 'espace-medecin';

/**
 * Registers the espace médecin with the provider, as an operator would with `caducee client
 * add`: confidential client (`client_secret_basic`), its callback, post-logout page and
 * back-channel logout URI under `settings.espaceMedecin.url`. Re-registered (same secret) when
 * that URL changes.
 */
export async function ensureEspaceMedecinClient(
  system: System,
): Promise<{ clientId: string; clientSecret: string }> {
  const db = system.store.db as OidcDb;
  const base = system.settings.espaceMedecin.url.replace(/\/$/, '');
  const metadata = {
    client_id: ESPACE_MEDECIN_CLIENT_ID,
    client_name: 'Espace médecin',
    redirect_uris: [`${base}${ESPACE_MEDECIN_PATHS.callback}`],
    post_logout_redirect_uris: [`${base}${ESPACE_MEDECIN_PATHS.postLogout}`],
    backchannel_logout_uri: `${base}${ESPACE_MEDECIN_PATHS.backchannelLogout}`,
    backchannel_logout_session_required: true,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
  const existing = await getClient(db, ESPACE_MEDECIN_CLIENT_ID);
  if (existing && existing.backchannel_logout_uri === metadata.backchannel_logout_uri) {
    return { clientId: ESPACE_MEDECIN_CLIENT_ID, clientSecret: String(existing.client_secret) };
  }
  const clientSecret = existing ? String(existing.client_secret) : randomBytes(32).toString('base64url');
  if (existing)
    await db.deleteFrom('oidc_client').where('client_id', '=', ESPACE_MEDECIN_CLIENT_ID).execute();
  await addClient(db, { ...metadata, client_secret: clientSecret });
  return { clientId: ESPACE_MEDECIN_CLIENT_ID, clientSecret };
}
