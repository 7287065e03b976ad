import { type ExtractKind, type ExtractSource, type ReadOptions, readExtractRows } from '../extract/index.ts';
import type { DirectoryDb } from '../store/tables.ts';

const BATCH = 1000;

export interface StagedFile {
  name: string;
  kind: ExtractKind;
  lines: number;
}

/**
 * Copies every row of the extract files into the staging table of the running transaction, so
 * that a person's lines, spread over files and unsorted, can then be read back grouped.
 * Memory stays flat whatever the size of the files.
 */
export async function stageSources(
  trx: DirectoryDb,
  sources: ExtractSource[],
  options: ReadOptions & { onFile?: (source: ExtractSource) => void },
): Promise<StagedFile[]> {
  await trx.deleteFrom('directory_import_line').execute();
  const staged: StagedFile[] = [];
  let seq = 0;
  for (const source of sources) {
    options.onFile?.(source);
    let lines = 0;
    let batch: Array<{ idnat: string; kind: string; seq: number; payload: string }> = [];
    for await (const row of readExtractRows(source, options)) {
      batch.push({ idnat: row.idnat, kind: source.kind, seq: seq++, payload: JSON.stringify(row.values) });
      lines++;
      if (batch.length === BATCH) {
        await trx.insertInto('directory_import_line').values(batch).execute();
        batch = [];
      }
    }
    if (batch.length > 0) await trx.insertInto('directory_import_line').values(batch).execute();
    staged.push({ name: source.name, kind: source.kind, lines });
  }
  return staged;
}
