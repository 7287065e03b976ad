import type { System } from '../system.ts';
import { ensureRegisteredClient } from './registered-client.ts';

export const DEMO_CLIENT_ID = 'caducee-demo';

/**
 * The client of the demo relying party served at `<idp>/demo`, registered once. Its redirect
 * URIs follow the provider's URL, so they are updated if that changes.
 */
export async function ensureDemoClient(
  system: System,
): Promise<{ clientId: string; clientSecret: string; redirectUri: string }> {
  const idp = system.settings.idp.url.replace(/\/$/, '');
  const redirectUri = `${idp}/demo/callback`;
  const registered = await ensureRegisteredClient(system, {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Service de démonstration',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [`${idp}/demo/`],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  });
  return { ...registered, redirectUri };
}
