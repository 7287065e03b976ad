import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityFromClaims, samePerson } from './identity.ts';
import { readInformation } from './information.ts';
import { checkPassword, hashPassword, passwordProblems } from './passwords.ts';
import { isDay, parisDay } from './time.ts';

describe('espace médecin rules', () => {
  it('names every broken password rule, and only those', () => {
    assert.deepEqual(passwordProblems('Abcdefg1', 'Abcdefg1'), []);
    assert.equal(passwordProblems('abc', 'abc').length, 3);
    assert.match(passwordProblems('abcdefgh1', 'abcdefgh1').join(), /majuscule/);
    assert.match(passwordProblems('ÉCOLEÉTÉ1', 'ÉCOLEÉTÉ1').join(), /minuscule/);
    assert.match(passwordProblems('Abcdefg1', 'Abcdefg2').join(), /pas identiques/);
  });

  it('hashes with argon2id and answers false for a missing account after the same work', async () => {
    const stored = await hashPassword('Tilleuls2026');
    assert.match(stored, /^\$argon2id\$/);
    assert.equal(await checkPassword(stored, 'Tilleuls2026'), true);
    assert.equal(await checkPassword(stored, 'tilleuls2026'), false);
    assert.equal(await checkPassword(undefined, 'compte-inexistant-Caducee-1'), false);
  });

  it('reads the identity from PSC claims and resolves the codes with the TRE tables', () => {
    const identity = identityFromClaims({
      preferred_username: '899760000010',
      family_name: 'MARTIN',
      given_name: 'Claire',
      SubjectRefPro: {
        exercices: [{ codeProfession: '10', codeTypeSavoirFaire: 'S', codeSavoirFaire: 'SM54' }],
      },
    });
    assert.equal(identity?.professionLabel, 'Médecin');
    assert.match(identity?.specialtyLabel ?? '', /^Médecine générale/);
    assert.equal(identityFromClaims({ sub: 'x' }), undefined);
    assert.ok(
      samePerson(
        { familyName: 'Le Gall', givenName: 'Élodie' },
        { familyName: 'LE GALL', givenName: 'elodie' },
      ),
    );
    assert.ok(
      !samePerson(
        { familyName: 'Dubois', givenName: 'Sophie' },
        { familyName: 'Martin', givenName: 'Claire' },
      ),
    );
  });

  it('checks personal information: required e-mail, postcode of 5 digits, city', () => {
    const { information, problems } = readInformation({
      email: ' Nom@Domaine.FR ',
      telephone: '01 99 00 12 34',
      code_postal: '7501',
      ville: '',
    });
    assert.equal(information.email, 'nom@domaine.fr');
    assert.equal(information.phone, '0199001234');
    assert.deepEqual(
      problems.map((p) => p.field),
      ['code_postal', 'ville'],
    );
  });

  it('counts days in Europe/Paris', () => {
    assert.equal(parisDay(new Date('2026-11-26T23:30:00Z')), '2026-11-27');
    assert.ok(isDay('2026-02-28'));
    assert.ok(!isDay('2026-02-30'));
  });
});
