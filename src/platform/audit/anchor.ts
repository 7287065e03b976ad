import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BadRequest } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import type { AuditAnchor, AuditLog } from './audit-log.ts';

/**
 * Anchors of the audit chain: `<seq>:<hash>`, the hash of the event at that position. The chain
 * proves the log was not altered without recomputing it; someone able to write to the database
 * can recompute it. A hash noted outside the database beforehand cannot be: if the event at that
 * position no longer has that hash, or is gone, the log was rewritten.
 */
const ANCHOR = /^([1-9]\d{0,15}):([0-9a-f]{64})$/;

export function formatAnchor(anchor: AuditAnchor): string {
  return `${anchor.seq}:${anchor.hash}`;
}

/** `where` names the argument or the file line in the error. */
export function parseAnchor(text: string, where = '--anchor'): AuditAnchor {
  const match = ANCHOR.exec(text.trim());
  if (!match) {
    throw BadRequest({
      reason: `${where} : « ${text.trim()} » n'est pas une ancre (attendu : <n° d'événement>:<empreinte de 64 caractères hexadécimaux>, telle que caducee audit verify l'affiche)`,
    });
  }
  return { seq: Number(match[1]), hash: match[2]! };
}

/** The anchors of a file the server wrote (`<date> <seq>:<hash>` per line) or a person kept. */
export function readAnchorsFile(file: string): AuditAnchor[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw BadRequest({
      reason: `fichier d'ancres ${file} illisible (${(error as NodeJS.ErrnoException).code})`,
    });
  }
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
    .map(({ line, number }) => parseAnchor(line.split(/\s+/).at(-1)!, `${file}:${number}`));
}

/** Where the provider's server appends the chain's head (in the data directory). */
export function anchorsFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'anchors.txt');
}

/** How often a running server notes the chain's head. */
export const ANCHOR_EVERY_MS = 10 * 60_000;

/**
 * Appends the chain's head to `file` now and every `everyMs`, when it moved: a record kept off
 * the database, for `caducee audit verify --anchors-file`. Returns a function that stops it.
 */
export function anchorPeriodically(options: {
  audit: AuditLog;
  file: string;
  log: Logger;
  everyMs?: number;
  clock?: () => Date;
}): { stop(): void; done: Promise<void> } {
  const clock = options.clock ?? (() => new Date());
  let lastSeq = 0;
  const note = async () => {
    try {
      const head = await options.audit.head();
      if (head.seq <= lastSeq) return;
      if (!existsSync(path.dirname(options.file))) mkdirSync(path.dirname(options.file), { recursive: true });
      appendFileSync(options.file, `${clock().toISOString()} ${formatAnchor(head)}\n`, { mode: 0o600 });
      lastSeq = head.seq;
    } catch (error) {
      options.log.warn({ err: error, file: options.file }, 'audit anchor not written');
    }
  };
  const done = note();
  const timer = setInterval(note, options.everyMs ?? ANCHOR_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), done };
}
