import { type ExtractSource, PERSON_KINDS, type ReadOptions } from '../extract/index.ts';
import { BATCH, readPersons } from './read-persons.ts';
import type { ImportScratch } from './scratch.ts';
import { type SnapshotPerson, snapshotPerson } from './snapshot-person.ts';
import type { StagedFile } from './stage.ts';

type Apply = (persons: SnapshotPerson[]) => Promise<void>;

/**
 * Reads a person file as a stream, handing its persons to `apply` in batches, each with the lines
 * staged for it from the other files. Nothing of the file itself is stored on the way: this
 * works when the file lists each identifier on consecutive lines. Returns undefined, having
 * applied part of the file, when an identifier comes back further down (the caller undoes that
 * part and stages the file instead).
 */
export async function streamPersons(
  scratch: ImportScratch,
  source: ExtractSource,
  options: ReadOptions,
  apply: Apply,
): Promise<StagedFile | undefined> {
  let lines = 0;
  for await (const batch of readPersons(source, options)) {
    if (!(await scratch.list(batch.persons.map((person) => person.idnat)))) return undefined;
    await apply(await scratch.withStagedLines(batch.persons));
    lines = batch.lines;
  }
  return { name: source.name, kind: source.kind, lines };
}

/**
 * Hands to `apply` the persons of the staging table that no streamed file listed, in order of
 * identifier. Identifiers with lines in no person file are not in the snapshot: they are
 * reported and left out.
 */
export async function applyStaged(
  scratch: ImportScratch,
  apply: Apply,
  warning: (message: string) => void,
): Promise<void> {
  if (!scratch.hasStaged) return;
  let after = '';
  for (;;) {
    const persons = await scratch.unlisted(after, BATCH);
    if (persons.length === 0) return;
    after = persons.at(-1)!.idnat;
    const listed = persons.filter(({ idnat, rows }) => {
      if (rows.some((row) => PERSON_KINDS.includes(row.kind))) return true;
      warning(
        `${idnat} : présent dans ${[...new Set(rows.map((r) => r.kind))].join(', ')} mais dans aucun fichier de personnes, ignoré`,
      );
      return false;
    });
    await scratch.list(listed.map((person) => person.idnat));
    await apply(listed.map(({ idnat, rows }) => snapshotPerson(idnat, rows)));
  }
}
