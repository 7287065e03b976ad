import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verify } from '@node-rs/argon2';
import { checkPassword, hashPassword } from './passwords.ts';

describe('espace médecin passwords', () => {
  it('verifies an argon2id hash for an unknown account too, so that timing tells no account apart', async () => {
    const verified: string[] = [];
    const counting = (hash: string, password: string) => {
      verified.push(hash);
      return verify(hash, password);
    };
    assert.equal(await checkPassword(undefined, 'Tilleuls2026', counting), false);
    // Not even the password of the fixed hash opens a missing account.
    assert.equal(await checkPassword(undefined, 'compte-inexistant-Caducee-1', counting), false);
    assert.equal(verified.length, 2);
    for (const hash of verified) assert.match(hash, /^\$argon2id\$/);

    const stored = await hashPassword('Tilleuls2026');
    assert.equal(await checkPassword(stored, 'Tilleuls2026', counting), true);
    assert.equal(await checkPassword(stored, 'Tilleuls2025', counting), false);
    // The same parameters as a real account's hash: the same work.
    assert.equal(verified[0]!.replace(/\$[^$]+\$[^$]+$/, ''), stored.replace(/\$[^$]+\$[^$]+$/, ''));
  });
});
