import assert from 'node:assert/strict';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { writeSyntheticExtract } from '../bench/extract-generator.ts';
import { runCli } from './support/cli.ts';
import { ACTIVITE_HEADER, extractDir, REAL_ROWS, writeExtract } from './support/extracts.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';

async function zip(file: string, entries: Record<string, string>) {
  const archive = new yazl.ZipFile();
  for (const [name, source] of Object.entries(entries)) archive.addFile(source, name);
  archive.end();
  await finished(archive.outputStream.pipe(createWriteStream(file)));
  return file;
}

/**
 * Bad extract files given to `caducee directory import`: each is refused with a catalogued error
 * that names the file (and the line when there is one), exit status 1 (never the 70 of an
 * internal error), and the directory imported before stays exactly as it was.
 */
for (const storeCase of storeCases()) {
  describe(`caducee directory import: bad input (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    const dir = extractDir();
    let before_: string;
    const show = async () => {
      const shown = await runCli(['directory', 'show', '810001045367', '--json'], opened.env);
      assert.equal(shown.code, 0, shown.stderr);
      return shown.stdout;
    };

    before(async () => {
      opened = await storeCase.open();
      const file = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.orthoptist,
        REAL_ROWS.doctor,
      ]);
      const imported = await runCli(['directory', 'import', file], opened.env);
      assert.equal(imported.code, 0, imported.stderr);
      before_ = await show();
    });
    after(() => opened.dispose());

    const refused = async (files: string[], code: string, message: RegExp) => {
      const result = await runCli(['directory', 'import', ...files], opened.env);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`Erreur ${code} : `));
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Aucune donnée n’a été modifiée/);
      assert.equal(await show(), before_, 'the previous directory is intact');
    };

    it('refuses a 10 MB line without a newline', async () => {
      const file = path.join(dir, 'PS_LibreAcces_Personne_activite_202611260800.txt');
      const out = createWriteStream(file);
      out.write(`${ACTIVITE_HEADER}\n${REAL_ROWS.doctor.replace('NOM5', 'CHANGE')}\n`);
      const block = Buffer.alloc(1024 * 1024, 'A');
      for (let i = 0; i < 10; i++) out.write(block);
      out.end();
      await finished(out);
      await refused(
        [file],
        'DIRECTORY_MALFORMED_LINE',
        /PS_LibreAcces_Personne_activite_202611260800\.txt:3 : ligne trop longue \(plus de 65536 octets\)/,
      );
    });

    it('refuses invalid UTF-8, naming file:line', async () => {
      const file = path.join(dir, 'PS_LibreAcces_Personne_activite_202611260801.txt');
      writeFileSync(
        file,
        Buffer.concat([
          Buffer.from(`${ACTIVITE_HEADER}\n${REAL_ROWS.orthoptist}\n`),
          // Latin-1 "é" as an older tool would write it.
          Buffer.from(REAL_ROWS.doctor.replace('Médecin', 'M\u0000decin')).map((byte) =>
            byte === 0 ? 0xe9 : byte,
          ),
          Buffer.from('\n'),
        ]),
      );
      await refused(
        [file],
        'DIRECTORY_MALFORMED_LINE',
        /PS_LibreAcces_Personne_activite_202611260801\.txt:3 : texte qui n’est pas de l’UTF-8 valide/,
      );
    });

    it('refuses a truncated zip and a zip whose compressed data is corrupt', async () => {
      const big = path.join(dir, 'PS_LibreAcces_Personne_activite_202611260802.txt');
      await writeSyntheticExtract(big, 3000, 7);
      const archive = await zip(path.join(dir, 'PS_LibreAcces_202611260802.zip'), {
        'PS_LibreAcces_Personne_activite_202611260802.txt': big,
      });
      const bytes = readFileSync(archive);

      const truncated = path.join(dir, 'PS_LibreAcces_202611260803.zip');
      writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
      await refused(
        [truncated],
        'DIRECTORY_FILE_UNREADABLE',
        /PS_LibreAcces_202611260803\.zip : .*archive zip illisible ou tronquée/,
      );

      // The directory at the end is intact: the entry is listed, its data fails to inflate.
      const corrupt = path.join(dir, 'PS_LibreAcces_202611260804.zip');
      const damaged = Buffer.from(bytes);
      for (let i = 0; i < 64; i++) damaged[2000 + i] = (damaged[2000 + i]! * 7 + 13) & 0xff;
      writeFileSync(corrupt, damaged);
      await refused(
        [corrupt],
        'DIRECTORY_FILE_UNREADABLE',
        /PS_LibreAcces_202611260804\.zip!PS_LibreAcces_Personne_activite_202611260802\.txt : fichier illisible \(lecture interrompue vers la ligne \d+, archive corrompue ou tronquée \?/,
      );
    });
  });
}
