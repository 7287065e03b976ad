import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import {
  ExtractDuplicateKind,
  ExtractFileUnreadable,
  ExtractNoPersonFile,
  ExtractUnknownFile,
} from '../errors.ts';
import type { ExtractKind } from './columns.ts';

/** One extract file to read: a plain `.txt` or an entry of a `.zip`. */
export interface ExtractSource {
  kind: ExtractKind;
  /** How messages name it: `file.txt` or `archive.zip!entry.txt`. */
  name: string;
  /** Where it is, as plain data for a worker thread to open it; none for data not in a file. */
  location?: SourceLocation;
  open(): Promise<Readable>;
  /** Uncompressed size when known, for the progress bar. */
  size: number | undefined;
}

export interface SourceLocation {
  file: string;
  /** The entry, when `file` is a zip archive. */
  entry?: string;
}

/** Opens the data of an extract file; `name` is how errors name it. */
export function openSource(location: SourceLocation, name: string): Promise<Readable> {
  return location.entry === undefined
    ? Promise.resolve(createReadStream(location.file))
    : openEntry(location.file, location.entry, name);
}

const NAME_PATTERNS: Array<[RegExp, ExtractKind]> = [
  [/^Extraction_ProSanteConnect_Personne_activite/i, 'psc'],
  [/^PS_LibreAcces_Personne_activite/i, 'activite'],
  [/^PS_LibreAcces_SavoirFaire/i, 'savoirFaire'],
  [/^PS_LibreAcces_Dipl_AutExerc/i, 'diplomes'],
];

export function kindOfFile(fileName: string): ExtractKind | undefined {
  const base = path.basename(fileName);
  return NAME_PATTERNS.find(([pattern]) => pattern.test(base))?.[1];
}

export const PERSON_KINDS: ExtractKind[] = ['activite', 'psc'];

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, zip) => {
      if (error || !zip)
        reject(
          ExtractFileUnreadable(
            { file, reason: `archive zip illisible ou tronquée : ${error?.message}` },
            error,
          ),
        );
      else resolve(zip);
    });
  });
}

/**
 * Reads the archive's central directory entry by entry; `visit` returns true to stop early. The
 * archive stays open: the caller closes it.
 */
function walkEntries(
  zip: yauzl.ZipFile,
  file: string,
  visit: (entry: yauzl.Entry) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (visit(entry)) resolve();
      else zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) =>
      reject(
        ExtractFileUnreadable(
          { file, reason: `archive zip illisible ou tronquée : ${error.message}` },
          error,
        ),
      ),
    );
    zip.readEntry();
  });
}

/**
 * Opens one entry's data. The archive is opened again for it, and closed at once: yauzl keeps
 * its file descriptor until the entry's stream ends or is destroyed, then lets it go, so that
 * neither a finished nor a failed import leaves the archive open in a long-lived process.
 */
async function openEntry(file: string, entryName: string, name: string): Promise<Readable> {
  const zip = await openZip(file);
  try {
    let found: yauzl.Entry | undefined;
    await walkEntries(zip, file, (entry) => {
      if (entry.fileName === entryName) found = entry;
      return found !== undefined;
    });
    const entry = found;
    if (!entry) throw ExtractFileUnreadable({ file: name, reason: "l'archive a changé pendant l'import" });
    return await new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream)
          reject(ExtractFileUnreadable({ file: name, reason: String(error?.message) }, error));
        else resolve(stream);
      });
    });
  } finally {
    zip.close();
  }
}

async function zipEntries(file: string): Promise<ExtractSource[]> {
  const zip = await openZip(file);
  const entries: yauzl.Entry[] = [];
  try {
    await walkEntries(zip, file, (entry) => {
      if (!entry.fileName.endsWith('/')) entries.push(entry);
      return false;
    });
  } finally {
    zip.close();
  }
  const sources: ExtractSource[] = [];
  for (const entry of entries) {
    const name = `${path.basename(file)}!${entry.fileName}`;
    const kind = kindOfFile(entry.fileName);
    if (!kind) throw ExtractUnknownFile({ file: name });
    const location = { file, entry: entry.fileName };
    sources.push({
      kind,
      name,
      location,
      size: entry.uncompressedSize,
      open: () => openSource(location, name),
    });
  }
  return sources;
}

/**
 * Resolves the files given to an import into extract sources, one per kind at most. A `.zip` (as
 * ANS publishes PS_LibreAcces) contributes its entries.
 */
export async function resolveSources(files: string[]): Promise<ExtractSource[]> {
  const sources: ExtractSource[] = [];
  for (const file of files) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch (error) {
      throw ExtractFileUnreadable(
        {
          file,
          reason:
            (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'fichier absent' : (error as Error).message,
        },
        error,
      );
    }
    if (!info.isFile()) throw ExtractFileUnreadable({ file, reason: "ce n'est pas un fichier" });
    if (file.toLowerCase().endsWith('.zip')) {
      sources.push(...(await zipEntries(file)));
      continue;
    }
    const kind = kindOfFile(file);
    if (!kind) throw ExtractUnknownFile({ file: path.basename(file) });
    const name = path.basename(file);
    sources.push({ kind, name, location: { file }, size: info.size, open: () => openSource({ file }, name) });
  }
  for (const [index, source] of sources.entries()) {
    const earlier = sources.slice(0, index).find((other) => other.kind === source.kind);
    if (earlier) throw ExtractDuplicateKind({ first: earlier.name, second: source.name });
  }
  if (!sources.some((source) => PERSON_KINDS.includes(source.kind))) {
    throw ExtractNoPersonFile({ files: sources.map((source) => source.name) });
  }
  // Person files first so that the other files can be checked against them.
  return sources.sort(
    (a, b) => Number(PERSON_KINDS.includes(b.kind)) - Number(PERSON_KINDS.includes(a.kind)),
  );
}
