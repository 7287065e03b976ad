import type { System } from '../system.ts';
import { ensureRegisteredClient } from './registered-client.ts';

/** The lieux d'exercice app's client at the provider, following `settings.lieux.url`. */
export function ensureLieuxClient(system: System): Promise<{ clientId: string; clientSecret: string }> {
  const base = system.settings.lieux.url.replace(/\/$/, '');
  return ensureRegisteredClient(system, {
    client_id: 'lieux-exercice',
    client_name: "Lieux d'exercice",
    redirect_uris: [`${base}/auth/callback`],
    post_logout_redirect_uris: [`${base}/`],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  });
}
