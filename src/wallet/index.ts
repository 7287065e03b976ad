/** The e-CPS app's protocol client, shared by the CLI and the PWA; never imports the server. */
export { type Fetch, WalletClient, WalletError, type WalletState } from './protocol.ts';
