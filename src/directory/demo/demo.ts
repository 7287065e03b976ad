import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Directory } from '../directory.ts';
import type { ImportSummary } from '../import/import-directory.ts';

/** The demo directory: files in the official extract format, kept in the repo. */
export const DEMO_EXTRACTS_DIR = fileURLToPath(new URL('./extracts/', import.meta.url));

export function demoExtractFiles(): string[] {
  return readdirSync(DEMO_EXTRACTS_DIR)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((name) => `${DEMO_EXTRACTS_DIR}${name}`);
}

/**
 * Loads the demo directory through the same importer as the official extracts, only when the
 * directory is empty: an operator's data is never mixed with demo data.
 */
export async function loadDemoDirectoryIfEmpty(directory: Directory): Promise<ImportSummary | undefined> {
  const stats = await directory.stats();
  if (stats.active + stats.inactive > 0) return undefined;
  return directory.importExtracts(demoExtractFiles());
}
