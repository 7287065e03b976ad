import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkAdeli, checkFiness, checkRpps, checkSiren, checkSiret } from './identifiers.ts';
import { luhnKey, luhnValid } from './luhn.ts';
import { parseNationalId } from './national-id.ts';

const LA_POSTE = '356000000';
const digits = (length: number) => fc.stringMatching(new RegExp(`^[0-9]{${length}}$`));
const withKey = (length: number) => digits(length - 1).map((body) => `${body}${luhnKey(body)}`);

/** A number with one digit replaced by another digit. */
function oneDigitChanged(value: string) {
  return fc
    .record({ position: fc.nat({ max: value.length - 1 }), shift: fc.integer({ min: 1, max: 9 }) })
    .map(({ position, shift }) => {
      const digit = (Number(value[position]) + shift) % 10;
      return `${value.slice(0, position)}${digit}${value.slice(position + 1)}`;
    });
}

const validators = [
  ['RPPS', checkRpps, 11],
  ['ADELI', checkAdeli, 9],
  ['SIREN', checkSiren, 9],
  ['FINESS', checkFiness, 9],
] as const;

describe('identifier validators (property-based)', () => {
  for (const [name, check, length] of validators) {
    it(`${name}: every generated number passes, every single-digit change fails`, () => {
      fc.assert(
        fc.property(
          withKey(length).chain((valid) => fc.tuple(fc.constant(valid), oneDigitChanged(valid))),
          ([valid, changed]) => {
            assert.equal(check(valid), null);
            assert.match(check(changed) ?? '', /clé de contrôle/);
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('SIRET: Luhn numbers pass and a single-digit change fails; La Poste by digit sum', () => {
    fc.assert(
      fc.property(
        withKey(14)
          .filter((siret) => !siret.startsWith(LA_POSTE))
          .chain((valid) => fc.tuple(fc.constant(valid), oneDigitChanged(valid))),
        ([valid, changed]) => {
          assert.equal(checkSiret(valid), null);
          // A change that happens to make a La Poste SIRET is checked by the other rule.
          fc.pre(!changed.startsWith(LA_POSTE));
          assert.notEqual(checkSiret(changed), null);
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(digits(4), fc.nat({ max: 4 }), fc.integer({ min: 1, max: 4 }), (nic, position, shift) => {
        // Complete the NIC's last digit so that the digit sum is a multiple of 5.
        const partial = `${LA_POSTE}${nic}`;
        const sum = [...partial].reduce((total, d) => total + Number(d), 0);
        const last = (5 - (sum % 5)) % 5;
        const valid = `${partial}${last}`;
        fc.pre(valid !== `${LA_POSTE}00048`);
        assert.equal(checkSiret(valid), null);
        // Within the NIC, a change that is not a multiple of 5 breaks the sum.
        const at = 9 + position;
        const digit = (Number(valid[at]) + shift) % 10;
        const changed = `${valid.slice(0, at)}${digit}${valid.slice(at + 1)}`;
        fc.pre(Math.abs(digit - Number(valid[at])) % 5 !== 0 && changed !== `${LA_POSTE}00048`);
        assert.notEqual(checkSiret(changed), null);
      }),
      { numRuns: 200 },
    );
  });

  it('national identifiers: 8 + RPPS and 0 + ADELI parse as persons, a changed digit does not', () => {
    const nationalId = fc.oneof(
      withKey(11).map((rpps) => ({ value: `8${rpps}`, kind: 'RPPS' })),
      withKey(9).map((adeli) => ({ value: `0${adeli}`, kind: 'ADELI' })),
    );
    fc.assert(
      fc.property(
        nationalId.chain((id) =>
          fc.tuple(
            fc.constant(id),
            oneDigitChanged(id.value.slice(1)).map((n) => `${id.value[0]}${n}`),
            fc.constantFrom('', ' ', '  '),
          ),
        ),
        ([id, changed, space]) => {
          const parsed = parseNationalId(`${space}${id.value}${space}`);
          assert.ok(parsed.ok);
          assert.deepEqual([parsed.id.value, parsed.id.kind], [id.value, id.kind]);
          assert.equal(parseNationalId(changed).ok, false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary input, and accepts only what its rule allows', () => {
    const anything = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.stringMatching(/^[0-9A-Za-z ]{0,16}$/),
      digits(11),
      digits(9),
    );
    fc.assert(
      fc.property(anything, (input) => {
        for (const check of [checkRpps, checkAdeli, checkSiren, checkSiret, checkFiness]) {
          const problem = check(input);
          assert.ok(problem === null || typeof problem === 'string');
        }
        if (checkRpps(input) === null) assert.ok(/^\d{11}$/.test(input) && luhnValid(input));
        if (checkAdeli(input) === null) assert.ok(/^\d{9}$/.test(input) && luhnValid(input));
        const parsed = parseNationalId(input);
        if (parsed.ok) assert.equal(parsed.id.value, input.trim());
        else assert.equal(typeof parsed.problem, 'string');
        assert.equal(typeof luhnValid(input), 'boolean');
      }),
      { numRuns: 500 },
    );
  });
});
