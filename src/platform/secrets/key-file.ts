import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret key kept in a file outside the database (base64, mode 0600), made on first use. Every
 * node of a deployment must share the file. Two processes starting together keep the first one.
 */
export function loadOrCreateKey(file: string, bytes = 32): Buffer {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(bytes).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(file, 0o600);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length < bytes) throw new Error(`${file}: this key must hold at least ${bytes} bytes (base64)`);
  return key;
}
