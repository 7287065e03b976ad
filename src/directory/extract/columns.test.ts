import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapColumns } from './columns.ts';
import { normalizeHeader } from './header.ts';
import { splitFields } from './rows.ts';

describe('extract columns', () => {
  it('normalises header names across generations', () => {
    assert.equal(
      normalizeHeader('Code Département (structure)'),
      normalizeHeader('Code département (coord. structure)'),
    );
    assert.equal(normalizeHeader("Type d'identifiant PP"), 'type d identifiant pp');
    assert.equal(normalizeHeader('  LIBELLÉ   Voie (coord. structure) '), 'libelle voie structure');
    assert.notEqual(
      normalizeHeader('Téléphone (coord. structure)'),
      normalizeHeader('Téléphone (coord. correspondance)'),
    );
  });

  it('maps by name whatever the order, and names the missing required columns', () => {
    const mapped = mapColumns('savoirFaire', [
      'Code savoir-faire',
      'Identification nationale PP',
      "type d'identifiant pp",
      'Identifiant PP',
      'Code profession',
      'Code type savoir-faire',
    ]);
    assert.ok(mapped.ok);
    assert.deepEqual(mapped.positions.slice(0, 3), [2, 3, 1]);
    const missing = mapColumns('savoirFaire', ['Identifiant PP']);
    assert.ok(!missing.ok);
    assert.deepEqual(missing.missing, [
      "Type d'identifiant PP",
      'Identification nationale PP',
      'Code profession',
      'Code type savoir-faire',
      'Code savoir-faire',
    ]);
  });

  it('splits on | without quoting and drops the field the trailing | closes', () => {
    assert.deepEqual(splitFields('a|b||c|'), ['a', 'b', '', 'c']);
    assert.deepEqual(splitFields('a|"b|c"|'), ['a', '"b', 'c"']);
    assert.deepEqual(splitFields('a|b'), ['a', 'b']);
    assert.deepEqual(splitFields('|||'), ['', '', '']);
  });
});
