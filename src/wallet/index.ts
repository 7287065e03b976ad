/** The e-CPS app's protocol client, shared by the CLI and the PWA; never imports the server. */
export {
  type ActivationStart,
  activationToken,
  type DeviceKey,
  deviceKeyOf,
  type Fetch,
  generateDeviceKeyPair,
  type KeyVault,
  type PendingRequest,
  stateKeyVault,
  WalletClient,
  WalletError,
  type WalletState,
} from './protocol.ts';
export { walletAppRoutes } from './pwa/routes.ts';
