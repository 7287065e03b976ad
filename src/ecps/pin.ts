import { createHmac, timingSafeEqual } from 'node:crypto';
import { EcpsInvalidPinFormat, EcpsWeakPin } from './errors.ts';

/**
 * The e-CPS PIN has 10 000 values: a hash alone would be read back by brute force from a stolen
 * database. It is stored only as an HMAC under a key kept outside the database, bound to the
 * device, and checked in constant time.
 */
export function pinMac(key: Buffer, deviceId: string, pin: string): string {
  return createHmac('sha256', key).update(`${deviceId}:${pin}`).digest('base64url');
}

export function pinMatches(key: Buffer, deviceId: string, pin: string, stored: string): boolean {
  const expected = Buffer.from(pinMac(key, deviceId, pin));
  const actual = Buffer.from(stored);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Same digit four times, or digits that follow each other up or down (1234, 9876, 0123…). */
export function isWeakPin(pin: string): boolean {
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((digit, index) => digit - digits[index]!));
  return steps.size === 1 && [0, 1, -1].includes([...steps][0]!);
}

export function checkNewPin(pin: string): void {
  if (!/^\d{4}$/.test(pin)) throw EcpsInvalidPinFormat({});
  if (isWeakPin(pin)) throw EcpsWeakPin({});
}
