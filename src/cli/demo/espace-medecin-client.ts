import { ESPACE_MEDECIN_PATHS } from '../../rp/index.ts';
import type { System } from '../system.ts';
import { ensureRegisteredClient } from './registered-client.ts';

export const ESPACE_MEDECIN_CLIENT_ID = 'espace-medecin';

/**
 * Registers the espace médecin with the provider, as an operator would with `caducee client
 * add`: confidential client (`client_secret_basic`), its callback, post-logout page and
 * back-channel logout URI under `settings.espaceMedecin.url`. Re-registered (same secret) when
 * that URL changes.
 */
export function ensureEspaceMedecinClient(
  system: System,
): Promise<{ clientId: string; clientSecret: string }> {
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
  return ensureRegisteredClient(system, metadata);
}
