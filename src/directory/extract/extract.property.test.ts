import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCaduceeError } from '../../platform/errors/index.ts';
import { luhnKey, parseNationalId } from '../identifiers/index.ts';
import { COLUMNS, type ExtractKind } from './columns.ts';
import { MAX_LINE_BYTES, readLines } from './lines.ts';
import { readExtractRows } from './rows.ts';
import type { ExtractSource } from './sources.ts';

const FILE = 'PS_LibreAcces_Personne_activite_202611260800.txt';

/** A source over bytes, delivered in the given chunk sizes (as a file or a zip stream would). */
function sourceOf(
  bytes: Uint8Array,
  chunkSizes: number[] = [],
  kind: ExtractKind = 'activite',
): ExtractSource {
  return { kind, name: FILE, size: bytes.length, open: async () => Readable.from(chunk(bytes, chunkSizes)) };
}

function chunk(bytes: Uint8Array, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const size of sizes) {
    if (offset >= bytes.length) break;
    chunks.push(Buffer.from(bytes.subarray(offset, offset + size)));
    offset += size;
  }
  if (offset < bytes.length) chunks.push(Buffer.from(bytes.subarray(offset)));
  return chunks;
}

async function readAll(source: ExtractSource) {
  const rows = [];
  for await (const row of readExtractRows(source)) rows.push(row);
  return rows;
}

/** The only failures a malformed file may cause: catalogued directory errors that say where. */
function assertCatalogued(error: unknown) {
  assert.ok(isCaduceeError(error), `not a catalogued error: ${(error as Error)?.stack ?? error}`);
  assert.match(error.code, /^DIRECTORY_(MALFORMED_LINE|MISSING_COLUMN|EMPTY_FILE)$/);
  if (error.code === 'DIRECTORY_EMPTY_FILE') assert.match(error.message, new RegExp(`^${FILE} : `));
  else assert.match(error.message, new RegExp(`^${FILE}:\\d+ : `));
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 40 });
/** Field text as extracts carry it: anything but the separator and line ends. */
const fieldText = fc.string({ unit: 'grapheme', maxLength: 12 }).map((text) => text.replace(/[|\r\n]/g, ''));

const rpps = fc
  .stringMatching(/^[0-9]{10}$/)
  .map((body) => ({ idType: '8', idPP: `${body}${luhnKey(body)}` }));
const adeli = fc
  .stringMatching(/^[0-9]{8}$/)
  .map((body) => ({ idType: '0', idPP: `${body}${luhnKey(body)}` }));

/**
 * An activity file whose header lists the known columns in any order, some optional ones left
 * out, unknown ones added, and data rows filled by column.
 */
const activityFile = fc
  .record({
    order: fc.shuffledSubarray(
      COLUMNS.activite.map((spec, index) => ({ spec, index })),
      { minLength: COLUMNS.activite.length, maxLength: COLUMNS.activite.length },
    ),
    dropped: fc.array(fc.boolean(), {
      minLength: COLUMNS.activite.length,
      maxLength: COLUMNS.activite.length,
    }),
    extra: fc.array(fc.constantFrom('Colonne ajoutée', 'Libellé nouveau', 'Code futur'), { maxLength: 3 }),
    rows: fc.array(
      fc.record({
        id: fc.oneof(rpps, adeli),
        values: fc.array(fieldText, {
          minLength: COLUMNS.activite.length,
          maxLength: COLUMNS.activite.length,
        }),
      }),
      { maxLength: 8 },
    ),
    crlf: fc.boolean(),
    bom: fc.boolean(),
  })
  .map(({ order, dropped, extra, rows, crlf, bom }) => {
    const kept = order.filter(({ spec, index }) => spec.required || !dropped[index]);
    const header = [
      ...kept.map(({ spec }) => spec.headers[spec.headers.length - 1]!),
      ...extra.map((name, index) => `${name} ${index}`),
    ];
    const expected = rows.map(({ id, values }) => {
      const byKey = Object.fromEntries(
        COLUMNS.activite.map((spec, index) => [
          spec.key,
          kept.some((k) => k.index === index) ? values[index]!.trim() : '',
        ]),
      );
      byKey.idType = id.idType;
      byKey.idPP = id.idPP;
      byKey.idnat = `${id.idType}${id.idPP}`;
      // Nom d'exercice and profession are required columns; values may be empty.
      return byKey;
    });
    const lines = [
      `${header.join('|')}|`,
      ...expected.map(
        (byKey) => `${[...kept.map(({ spec }) => byKey[spec.key]!), ...extra.map(() => 'x')].join('|')}|`,
      ),
    ];
    const eol = crlf ? '\r\n' : '\n';
    return { text: (bom ? '\ufeff' : '') + lines.join(eol) + eol, expected };
  });

describe('extract parser (property-based)', () => {
  it('splits any valid UTF-8 text into the same lines whatever the chunk boundaries', async () => {
    const line = fc
      .string({ unit: 'binary', maxLength: 30 })
      .map((text) => text.toWellFormed().replace(/[\r\n]/g, ' '))
      // A BOM that starts the file is dropped (it belongs to the file, not to its first line).
      .filter((text) => !text.startsWith('\ufeff'));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), chunkSizes, async (lines, sizes) => {
        const bytes = Buffer.from(`${lines.join('\n')}\n`);
        const read = [];
        for await (const { number, text } of readLines(Readable.from(chunk(bytes, sizes)), FILE)) {
          read.push({ number, text });
        }
        assert.deepEqual(
          read.map((l) => l.text),
          lines,
        );
        assert.deepEqual(
          read.map((l) => l.number),
          lines.map((_, index) => index + 1),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('reads the columns by name whatever their order, extra columns, BOM or CRLF', async () => {
    await fc.assert(
      fc.asyncProperty(activityFile, chunkSizes, async ({ text, expected }, sizes) => {
        const rows = await readAll(sourceOf(Buffer.from(text), sizes));
        assert.deepEqual(
          rows.map((row) => Object.fromEntries(COLUMNS.activite.map((spec, i) => [spec.key, row.values[i]]))),
          expected,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('answers random bytes with rows or a catalogued error naming file:line, never a crash', async () => {
    const header = `${COLUMNS.activite.map((spec) => spec.headers[0]).join('|')}|\n`;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.uint8Array({ maxLength: 600 }),
        chunkSizes,
        async (withHeader, random, sizes) => {
          const bytes = withHeader ? Buffer.concat([Buffer.from(header), random]) : Buffer.from(random);
          try {
            await readAll(sourceOf(bytes, sizes));
          } catch (error) {
            assertCatalogued(error);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers random lines and random headers with rows or a catalogued error, never a crash', async () => {
    const header = COLUMNS.activite.map((spec) => spec.headers[0]);
    const randomLine = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      // Lines with the header's field count and identifier-like values reach the deeper checks.
      fc
        .record({
          idType: fc.constantFrom('0', '8', '3', 'x', ''),
          idPP: fc.stringMatching(/^[0-9]{0,12}$/),
          idnat: fc.stringMatching(/^[0-9 ]{0,13}$/),
          rest: fc.array(fieldText, { minLength: header.length - 3, maxLength: header.length - 3 }),
        })
        .map((r) => `${[r.idType, r.idPP, r.idnat, ...r.rest].join('|')}|`),
    );
    const randomHeader = fc.oneof(
      fc.constant(`${header.join('|')}|`),
      fc.shuffledSubarray(header).map((names) => `${names.join('|')}|`),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(randomHeader, fc.array(randomLine, { maxLength: 10 }), async (head, lines) => {
        const text = [head, ...lines].map((l) => l.toWellFormed().replace(/[\r\n]/g, ' ')).join('\n');
        try {
          const rows = await readAll(sourceOf(Buffer.from(text)));
          // Persons come with 8/0 prefixes, structure staff with others (1, 3, 4, 5, 6): whatever
          // the prefix, a row only ever carries an identifier that passes its checks.
          for (const row of rows) assert.ok(parseNationalId(row.idnat).ok, `row with ${row.idnat}`);
        } catch (error) {
          assertCatalogued(error);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a line longer than the limit, however it is chunked, without holding it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4096 }), fc.boolean(), async (over, newline) => {
        const bytes = Buffer.alloc(MAX_LINE_BYTES + over, 0x41);
        const text = Buffer.concat([
          Buffer.from(`${COLUMNS.activite.map((spec) => spec.headers[0]).join('|')}|\n`),
          bytes,
          Buffer.from(newline ? '\n' : ''),
        ]);
        await assert.rejects(readAll(sourceOf(text, [1000, 7, 65_536])), (error: unknown) => {
          assertCatalogued(error);
          assert.match((error as Error).message, /:2 : ligne trop longue/);
          return true;
        });
      }),
      { numRuns: 20 },
    );
  });
});
