import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { it } from 'node:test';
import { CookieSigner } from './cookie-signer.ts';

/** A signature as Keygrip (what Koa used before) writes it: base64 made URL-safe, no padding. */
const keygripSignature = (key: string, data: string) =>
  createHmac('sha1', key)
    .update(data)
    .digest('base64')
    .replace(/\/|\+|=/g, (x) => ({ '/': '_', '+': '-', '=': '' })[x]!);

it('signs as Keygrip did, so that cookies signed by a node of the previous version stay valid', () => {
  const signer = new CookieSigner(['first-key', 'older-key']);
  const data = '_interaction=Q2FkdWPDqWU';
  assert.equal(signer.sign(data), keygripSignature('first-key', data));
  assert.equal(signer.index(data, keygripSignature('first-key', data)), 0);
});

it('accepts a signature of an older key, and says which one', () => {
  const signer = new CookieSigner(['new-key', 'older-key']);
  assert.equal(signer.index('_session=abc', keygripSignature('older-key', '_session=abc')), 1);
  assert.equal(signer.verify('_session=abc', keygripSignature('older-key', '_session=abc')), true);
});

it('refuses a signature of other data, of an unknown key, truncated, or missing', () => {
  const signer = new CookieSigner(['new-key']);
  const good = signer.sign('_session=abc');
  assert.equal(signer.index('_session=abd', good), -1);
  assert.equal(signer.index('_session=abc', keygripSignature('unknown-key', '_session=abc')), -1);
  assert.equal(signer.index('_session=abc', good.slice(0, -1)), -1);
  assert.equal(signer.index('_session=abc', ''), -1);
  assert.equal(signer.verify('_session=abc', undefined as unknown as string), false);
});

it('needs a key', () => {
  assert.throws(() => new CookieSigner([]), /at least one key/);
});
