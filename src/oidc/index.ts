/** The Pro Santé Connect-compatible OpenID Connect provider (oidc-provider). */

export { nationalIdFromSubject, pscSubject, pscUserinfo } from './claims/index.ts';
export * as oidcErrors from './errors.ts';
export { type ClientSecretKey, clientSecretKeyFile, loadClientSecretKey } from './keys/client-secret-key.ts';
export { listSigningKeys, rotateSigningKeys, type SigningKeySummary } from './keys/signing-keys.ts';
export { createOidc, KEYS_ROTATED, type Oidc } from './oidc.ts';
export { KEYCLOAK_ROUTES } from './provider/configuration.ts';
export {
  addClient,
  type ClientMetadata,
  clientRow,
  getClient,
  listClients,
  newClientSecret,
  removeClient,
  rotateClientSecret,
} from './store/clients.ts';
export { oidcMigrations } from './store/migrations.ts';
export type { OidcDb } from './store/tables.ts';
