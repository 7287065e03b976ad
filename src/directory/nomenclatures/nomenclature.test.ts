import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profession, resolve, savoirFaire } from './index.ts';

describe('nomenclatures', () => {
  it('resolves professions over the union of G15, R94 and R95', () => {
    assert.deepEqual(profession('10'), { code: '10', label: 'Médecin', oid: '1.2.250.1.71.1.2.7' });
    assert.equal(profession('93').label, 'Psychologue');
    assert.equal(profession('41').oid, '1.2.250.1.213.1.6.1.4', 'social professions come from R94');
    assert.equal(profession('ZZ').label, null);
  });

  it('uses current labels, not the ones printed in extracts', () => {
    assert.equal(resolve('TRE_R23-ModeExercice', 'L').label, 'Libéral, indépendant, artisan, commerçant');
    assert.equal(savoirFaire('S', 'SM54').label, 'Médecine générale (SM)');
    assert.equal(savoirFaire('CEX', 'X').label, null);
  });

  it('keeps retired codes', () => {
    assert.equal(resolve('TRE_R81-Civilite', 'MLLE').label, 'Mademoiselle');
  });
});
