/** The e-CPS: the dematerialised CPS card on the professional's phone. */

export type { CardActivationStatus } from './activation-card.ts';
export { ECPS_API_MAX_BODY_BYTES, ecpsApiRoutes } from './api/routes.ts';
export { authenticateDevice, bodyHash, DEVICE_AUTH_SCHEME } from './device-auth.ts';
export type { DeviceSummary, EcpsUse } from './devices.ts';
export { createEcps, type DeviceInfo, type Ecps, type EcpsMessaging, type PendingRequest } from './ecps.ts';
export * as ecpsErrors from './errors.ts';
export { isWeakPin } from './pin.ts';
export { loadPinKey } from './pin-key.ts';
export { ecpsMigrations } from './store/migrations.ts';
export type { EcpsDb } from './store/tables.ts';
