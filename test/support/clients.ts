import { addClient, type ClientMetadata, loadClientSecretKey, type OidcDb } from '../../src/oidc/index.ts';
import type { Settings, Store } from '../../src/platform/index.ts';

/** Where a test registers its services: a system's (or one node's) store and settings. */
export interface ClientRegistry {
  store: Store;
  settings: Settings;
}

/**
 * Registers a confidential web service, as `caducee client add` does by default: authorization
 * code flow, secret sent in the Authorization header. `metadata` adds to or overrides that.
 */
export function registerWebClient(on: ClientRegistry, metadata: ClientMetadata): Promise<void> {
  return addClient(on.store.db as OidcDb, loadClientSecretKey(on.settings), {
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...metadata,
  });
}

/** A service that asks for logins by CIBA and polls for the answer (no browser redirect). */
export function registerCibaClient(on: ClientRegistry, metadata: ClientMetadata): Promise<void> {
  return registerWebClient(on, {
    grant_types: ['urn:openid:params:grant-type:ciba'],
    response_types: [],
    backchannel_token_delivery_mode: 'poll',
    ...metadata,
  });
}
