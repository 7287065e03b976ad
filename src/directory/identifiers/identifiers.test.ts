import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkAdeli,
  checkFiness,
  checkRpps,
  checkSiren,
  checkSiret,
  luhnKey,
  luhnValid,
  parseNationalId,
} from './index.ts';

// Numbers below are the real rows of EXTRACTS.md and ANS's PSC test identity.
describe('identifier rules', () => {
  it('accepts real RPPS and ADELI numbers and rejects a wrong key', () => {
    assert.equal(checkRpps('10001045367'), null);
    assert.equal(checkRpps('99700218896'), null);
    assert.match(checkRpps('10001045368') ?? '', /clé/);
    assert.match(checkRpps('1000104536') ?? '', /11 chiffres/);
    assert.equal(checkAdeli('019200575'), null);
    assert.match(checkAdeli('019200576') ?? '', /clé/);
    assert.match(checkAdeli('01920057A') ?? '', /9 chiffres/);
  });

  it('checks SIREN, SIRET and FINESS keys', () => {
    assert.equal(checkSiret('85131528300016'), null);
    assert.equal(checkSiren('851315283'), null);
    assert.match(checkSiret('85131528300017') ?? '', /clé/);
    assert.match(checkSiren('851315284') ?? '', /clé/);
    assert.equal(checkFiness(`99000001${luhnKey('99000001')}`), null);
    assert.match(checkFiness(`99000001${(Number(luhnKey('99000001')) + 1) % 10}`) ?? '', /clé/);
    assert.equal(
      checkFiness('2A0000017'),
      null,
      'Corsican FINESS numbers carry letters and no checkable key',
    );
  });

  it('applies the La Poste exception (digit sum multiple of 5) to its SIRETs', () => {
    // 356000000 + 00014: 3+5+6+1+4 = 19, not a multiple of 5; 00015 → 20.
    assert.equal(checkSiret('35600000000015'), null);
    assert.match(checkSiret('35600000000014') ?? '', /La Poste/);
    assert.equal(luhnValid('35600000000015'), false, 'the exception is not plain Luhn');
  });

  it('parses national identifiers by their prefix', () => {
    const rpps = parseNationalId('810001045367');
    assert.ok(rpps.ok);
    assert.equal(rpps.id.kind, 'RPPS');
    assert.equal(rpps.id.number, '10001045367');
    const adeli = parseNationalId(' 0019200575 ');
    assert.ok(adeli.ok);
    assert.equal(adeli.id.kind, 'ADELI');
    assert.equal(adeli.id.value, '0019200575');
    const bad = parseNationalId('810001045368');
    assert.ok(!bad.ok);
    assert.match(bad.problem, /clé/);
    const unknown = parseNationalId('710001045367');
    assert.ok(!unknown.ok);
    assert.match(unknown.problem, /préfixe/);
    assert.ok(!parseNationalId('').ok);
  });

  it('computes keys that pass', () => {
    for (const body of ['9970021889', '99101234', '12345678901234'.slice(0, 13)]) {
      assert.ok(luhnValid(body + luhnKey(body)));
    }
  });
});
