import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { SealedCookie } from './sealed-cookie.ts';

it('opens what it sealed, until it expires', () => {
  const cookie = new SealedCookie<{ idnat: string }>(randomBytes(32), 60);
  const sealed = cookie.seal({ idnat: '899760000010' }, 1_000);
  assert.deepEqual(cookie.open(sealed, 2_000), { idnat: '899760000010' });
  assert.equal(cookie.open(sealed, 61_001), undefined);
});

it('refuses a changed cookie and one sealed with another key', () => {
  const key = randomBytes(32);
  const sealed = new SealedCookie<string>(key, 60).seal('secret');
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
  assert.equal(new SealedCookie<string>(key, 60).open(bytes.toString('base64url')), undefined);
  assert.equal(new SealedCookie<string>(randomBytes(32), 60).open(sealed), undefined);
  assert.equal(new SealedCookie<string>(key, 60).open('not-base64-garbage'), undefined);
});
