import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The lieux d'exercice app keeps no database: what it shows comes from the claims of the login,
 * sealed (AES-256-GCM) in the session cookie. The browser carries it but can neither read nor
 * change it; an expiry inside the sealed text bounds its life whatever the browser does.
 */
export class SealedCookie<T> {
  readonly #key: Buffer;
  readonly #ttlSeconds: number;

  constructor(key: Buffer, ttlSeconds: number) {
    if (key.length !== 32) throw new Error('the cookie key must be 32 bytes');
    this.#key = key;
    this.#ttlSeconds = ttlSeconds;
  }

  seal(value: T, now = Date.now()): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const plain = Buffer.from(JSON.stringify({ exp: now + this.#ttlSeconds * 1000, value }));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  open(text: string | undefined, now = Date.now()): T | undefined {
    if (!text) return undefined;
    try {
      const raw = Buffer.from(text, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      const { exp, value } = JSON.parse(plain.toString('utf8')) as { exp: number; value: T };
      return exp > now ? value : undefined;
    } catch {
      return undefined;
    }
  }
}
