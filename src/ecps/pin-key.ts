import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../platform/index.ts';

/**
 * The key of the PIN HMAC lives outside the database (a stolen database alone must not allow
 * testing the 10 000 PINs). Created on first use; every node of a deployment must share it.
 */
export function loadPinKey(settings: Pick<Settings, 'ecps' | 'dataDir'>): Buffer {
  const file = settings.ecps.pinKeyFile || path.join(settings.dataDir, 'secrets', 'ecps-pin.key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length < 32) throw new Error(`${file}: the e-CPS PIN key must hold at least 32 bytes (base64)`);
  return key;
}
