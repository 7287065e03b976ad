import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkNewPin, isWeakPin, pinMac, pinMatches } from './pin.ts';

describe('e-CPS PIN', () => {
  it('refuses repeated and consecutive digits, accepts the others', () => {
    for (const weak of ['0000', '1111', '1234', '2345', '6789', '9876', '4321', '0123'])
      assert.ok(isWeakPin(weak), weak);
    for (const fine of ['1357', '2580', '1212', '9012', '0987'.replace('0987', '0978')])
      assert.ok(!isWeakPin(fine), fine);
    assert.throws(() => checkNewPin('1234'), /trop simple/);
    assert.throws(() => checkNewPin('12a4'), /4 chiffres/);
    assert.throws(() => checkNewPin('13579'), /4 chiffres/);
  });

  it('keeps an HMAC under a key outside the database, bound to the device', () => {
    const key = randomBytes(32);
    const stored = pinMac(key, 'device-1', '1357');
    assert.ok(pinMatches(key, 'device-1', '1357', stored));
    assert.ok(!pinMatches(key, 'device-1', '1358', stored));
    assert.ok(
      !pinMatches(key, 'device-2', '1357', stored),
      'the same PIN on another device gives another MAC',
    );
    assert.ok(!pinMatches(randomBytes(32), 'device-1', '1357', stored), 'useless without the key');
    assert.doesNotMatch(stored, /1357/);
  });
});
