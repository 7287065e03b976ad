import { ExtractEmpty, ExtractMalformedLine, ExtractMissingColumn } from '../errors.ts';
import { parseNationalId } from '../identifiers/index.ts';
import { COLUMNS, mapColumns, pick } from './columns.ts';
import { readLineBatches } from './lines.ts';
import type { ExtractSource } from './sources.ts';

export interface ExtractRow {
  line: number;
  idnat: string;
  /** Values in the order of COLUMNS[kind]. */
  values: string[];
}

export interface ReadOptions {
  /** Accept identifiers whose Luhn key is wrong (warning instead of error). */
  lenientKeys?: boolean;
  onWarning?: (message: string) => void;
  /** Bytes read so far, for progress display. */
  onBytes?: (bytes: number) => void;
}

/** Fields of a line: `|`-separated, no quoting, the final `|` closes the last field. */
export function splitFields(text: string): string[] {
  const fields = text.split('|');
  if (fields.length > 1 && text.endsWith('|')) fields.pop();
  return fields;
}

const ID_POSITIONS = { idType: 0, idPP: 1, idnat: 2 };

/**
 * Reads and checks one extract file, yielding its data rows in batches (the lines of each chunk
 * read): a million rows one promise each would cost more than reading them.
 */
export async function* readExtractBatches(
  source: ExtractSource,
  options: ReadOptions = {},
): AsyncGenerator<ExtractRow[]> {
  const stream = await source.open();
  if (options.onBytes) {
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      options.onBytes?.(bytes);
    });
  }
  let positions: number[] | undefined;
  let width = 0;
  // A person's lines follow each other: its identifier is checked once.
  let checkedId = '';
  for await (const { first, texts } of readLineBatches(stream, source.name)) {
    const rows: ExtractRow[] = [];
    for (let index = 0; index < texts.length; index++) {
      const text = texts[index]!;
      const number = first + index;
      if (!positions) {
        const header = splitFields(text);
        const mapped = mapColumns(source.kind, header);
        if (!mapped.ok) throw ExtractMissingColumn({ file: source.name, columns: mapped.missing });
        positions = mapped.positions;
        width = header.length;
        continue;
      }
      if (text.trim() === '') continue;
      const fields = splitFields(text);
      if (fields.length !== width) {
        throw ExtractMalformedLine({
          file: source.name,
          line: number,
          reason: `${fields.length} champs au lieu des ${width} de l'en-tête (ligne coupée ou « | » dans une valeur ?)`,
        });
      }
      const values = pick(fields, positions);
      const idType = values[ID_POSITIONS.idType]!;
      const idPP = values[ID_POSITIONS.idPP]!;
      const idnat = values[ID_POSITIONS.idnat]!;
      if (idnat === '')
        throw ExtractMalformedLine({
          file: source.name,
          line: number,
          reason: 'identification nationale PP vide',
        });
      if ((idType === '0' || idType === '8') && idnat !== `${idType}${idPP}`) {
        throw ExtractMalformedLine({
          file: source.name,
          line: number,
          reason: `identification nationale ${idnat} incohérente avec le type ${idType} et l'identifiant ${idPP}`,
        });
      }
      if (idnat !== checkedId) {
        const parsed = parseNationalId(idnat);
        if (!parsed.ok) {
          const message = `identification nationale ${idnat} invalide : ${parsed.problem}`;
          if (!options.lenientKeys)
            throw ExtractMalformedLine({ file: source.name, line: number, reason: message });
          options.onWarning?.(`${source.name}:${number} : ${message}`);
        } else checkedId = idnat;
      }
      rows.push({ line: number, idnat, values });
    }
    if (rows.length > 0) yield rows;
  }
  if (!positions) throw ExtractEmpty({ file: source.name });
}

/** The same rows one by one. */
export async function* readExtractRows(
  source: ExtractSource,
  options: ReadOptions = {},
): AsyncGenerator<ExtractRow> {
  for await (const rows of readExtractBatches(source, options)) yield* rows;
}

export { COLUMNS };
