import {
  type ExtractKind,
  type ExtractSource,
  type ReadOptions,
  readExtractBatches,
} from '../extract/index.ts';
import type { ImportScratch } from './scratch.ts';

export interface StagedFile {
  name: string;
  kind: ExtractKind;
  lines: number;
}

/**
 * Copies every row of an extract file into the import's staging table, so that a person's
 * lines, spread over files or not together in a file, can be read back grouped. Memory stays
 * flat whatever the size of the file.
 */
export async function stageFile(
  scratch: ImportScratch,
  source: ExtractSource,
  options: ReadOptions,
): Promise<StagedFile> {
  let lines = 0;
  for await (const rows of readExtractBatches(source, options)) {
    await scratch.stage(rows.map((row) => ({ idnat: row.idnat, kind: source.kind, values: row.values })));
    lines += rows.length;
  }
  return { name: source.name, kind: source.kind, lines };
}
