import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { luhnKey } from '../../src/directory/identifiers/index.ts';
import { createDirectory, type Directory } from '../../src/directory/index.ts';
import { isCaduceeError, loadSettings } from '../../src/platform/index.ts';
import { directorySnapshot } from '../support/directory.ts';
import { ACTIVITE_HEADER, extractDir, line } from '../support/extracts.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

/** A person's line; `keyShift` makes its identifier's key wrong. */
function person(index: number, name: string, keyShift = 0): string {
  const body = `997${String(index).padStart(7, '0')}`;
  const rpps = `${body}${(Number(luhnKey(body)) + keyShift) % 10}`;
  return line(ACTIVITE_HEADER, {
    "Type d'identifiant PP": '8',
    'Identifiant PP': rpps,
    'Identification nationale PP': `8${rpps}`,
    "Nom d'exercice": name,
    "Prénom d'exercice": 'PRENOM',
    'Code profession': '10',
    'Code postal (coord. structure)': '75001',
  });
}

/** One fault that must make the whole file refused. */
const fault = fc.oneof(
  fc.constant({ kind: 'extra field', bytes: Buffer.from(`${person(999, 'X').slice(0, -1)}|en trop|`) }),
  fc.constant({ kind: 'missing fields', bytes: Buffer.from('8|1|81|NOM|') }),
  fc.constant({ kind: 'wrong key', bytes: Buffer.from(person(998, 'Y', 1)) }),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({
    kind: 'invalid UTF-8',
    bytes: Buffer.concat([
      Buffer.from(person(997, 'Z').slice(0, 40)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(bytes),
    ]),
  })),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 60 })
    .map((text) => ({ kind: 'random line', bytes: Buffer.from(text.toWellFormed().replace(/[\r\n]/g, ' ')) }))
    .filter(({ bytes }) => bytes.toString().trim() !== ''),
);

/**
 * A refused import changes nothing: files of valid lines (renaming every person, adding new ones)
 * with one faulty line at a random place are refused with a catalogued DIRECTORY_* error naming
 * file:line, and the directory (persons, facets, imports) is byte for byte what it was.
 */
for (const storeCase of storeCases()) {
  describe(`directory import: nothing half-written (property-based, ${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let directory: Directory;
    const dir = extractDir();
    let fileNumber = 0;
    before(async () => {
      opened = await storeCase.open();
      const { settings } = loadSettings({ env: {}, overrides: { logLevel: 'silent' } });
      directory = createDirectory(opened.store, settings);
      const base = path.join(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt');
      writeFileSync(
        base,
        `${[ACTIVITE_HEADER, ...[1, 2, 3, 4, 5].map((i) => person(i, `NOM${i}`))].join('\n')}\n`,
      );
      await directory.importExtracts([base]);
    });
    after(() => opened?.dispose());

    it('refuses a file with one faulty line anywhere, and the directory stays as it was', async () => {
      const before = await directorySnapshot(opened.store);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 12 }),
          fault,
          fc.nat(),
          async (count, { bytes }, position) => {
            const lines = Array.from({ length: count }, (_, i) => Buffer.from(person(i + 1, `CHANGE${i}`)));
            const at = position % (lines.length + 1);
            lines.splice(at, 0, bytes);
            const file = path.join(
              dir,
              `PS_LibreAcces_Personne_activite_2026112608${String(fileNumber++).padStart(4, '0')}.txt`,
            );
            writeFileSync(
              file,
              Buffer.concat([
                Buffer.from(`${ACTIVITE_HEADER}\n`),
                ...lines.flatMap((l) => [l, Buffer.from('\n')]),
              ]),
            );
            await assert.rejects(directory.importExtracts([file]), (error: unknown) => {
              assert.ok(isCaduceeError(error), `not a catalogued error: ${(error as Error)?.stack ?? error}`);
              assert.match(error.code, /^DIRECTORY_/);
              assert.match(error.message, new RegExp(`${path.basename(file)}:${at + 2} : `));
              return true;
            });
            assert.equal(await directorySnapshot(opened.store), before);
          },
        ),
        { numRuns: storeCase.kind === 'sqlite' ? 25 : 10 },
      );
      // And the next good import applies.
      const good = path.join(dir, 'PS_LibreAcces_Personne_activite_202611270800.txt');
      writeFileSync(good, `${[ACTIVITE_HEADER, person(1, 'APRES')].join('\n')}\n`);
      const summary = await directory.importExtracts([good], { force: true });
      assert.equal(summary.persons.changed, 1);
    });
  });
}
