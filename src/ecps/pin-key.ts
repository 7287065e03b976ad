import path from 'node:path';
import { loadOrCreateKey, type Settings } from '../platform/index.ts';

/**
 * The key of the PIN HMAC lives outside the database (a stolen database alone must not allow
 * testing the 10 000 PINs). Created on first use; every node of a deployment must share it.
 */
export function loadPinKey(settings: Pick<Settings, 'ecps' | 'dataDir'>): Buffer {
  return loadOrCreateKey(settings.ecps.pinKeyFile || path.join(settings.dataDir, 'secrets', 'ecps-pin.key'));
}
