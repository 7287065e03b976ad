import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';

/**
 * Signs and checks the provider's cookies. Koa otherwise wraps the key list in a new Keygrip for
 * every request, which imports each key again at each signature and compares signatures with
 * `tsscmp` (two more HMACs under a fresh random key per comparison): together about 3 % of an
 * e-CPS login's server time in a profile. This keeps Keygrip's format (HMAC-SHA1, base64 without
 * padding, URL-safe), so that nodes of two versions accept each other's cookies during a rolling
 * upgrade; the keys are imported once and signatures compared with `timingSafeEqual`.
 *
 * The interface is Keygrip's (`sign`, `verify`, `index`): Koa's `cookies` takes any such object.
 */
export class CookieSigner {
  readonly #keys: KeyObject[];

  /** `keys[0]` signs; every key is accepted (the older ones until they are dropped). */
  constructor(keys: string[]) {
    if (keys.length === 0) throw new TypeError('CookieSigner needs at least one key');
    this.#keys = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  }

  sign(data: string): string {
    return signature(this.#keys[0]!, data);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made `digest`, or -1. */
  index(data: string, digest: string): number {
    const given = Buffer.from(typeof digest === 'string' ? digest : '', 'utf8');
    for (const [position, key] of this.#keys.entries()) {
      const expected = Buffer.from(signature(key, data), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return position;
    }
    return -1;
  }
}

function signature(key: KeyObject, data: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}
