import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { isCaduceeError } from '../../platform/errors/index.ts';
import { ExtractFileUnreadable, ExtractMalformedLine } from '../errors.ts';

/** Longer lines are refused: a real extract line is under 2 KB, a corrupt file can be one huge line. */
export const MAX_LINE_BYTES = 64 * 1024;

export interface Line {
  /** 1-based line number in the file. */
  number: number;
  text: string;
}

/** Consecutive lines of a file: `texts[i]` is line `first + i`. */
export interface LineBatch {
  first: number;
  texts: string[];
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Splits a byte stream into lines (LF or CRLF), checking UTF-8 strictly and dropping a BOM that
 * starts the file. Errors name the file and line. Works on bytes so that a huge line is detected
 * without holding it, and so that invalid UTF-8 is reported where it is. Lines come in batches,
 * the complete lines of each chunk read: they are checked and decoded a chunk at a time, and
 * handed over without a promise per line.
 */
export async function* readLineBatches(stream: Readable, file: string): AsyncGenerator<LineBatch> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;
  let start = true;

  const tooLong = (line: number, reason: string) =>
    ExtractMalformedLine({ file, line, reason: `ligne trop longue (${reason})` });

  /** The lines of `bytes`, which ends with a newline unless it is the end of the file. */
  const linesOf = (bytes: Buffer): LineBatch => {
    if (start && bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
    start = false;
    const first = number + 1;
    let fast = isUtf8(bytes);
    for (let at = 0; at < bytes.length; ) {
      let end = bytes.indexOf(NEWLINE, at);
      if (end === -1) end = bytes.length;
      if (end - at > MAX_LINE_BYTES) fast = false;
      at = end + 1;
    }
    if (!fast) return slowLinesOf(bytes, first);
    const texts = bytes.toString('utf8').split('\n');
    if (bytes.at(-1) === NEWLINE) texts.pop();
    number += texts.length;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      if (text.charCodeAt(text.length - 1) === CR) texts[i] = text.slice(0, -1);
    }
    return { first, texts };
  };

  /** Line by line, to say which line is too long or not UTF-8 (the first one that is). */
  const slowLinesOf = (bytes: Buffer, first: number): LineBatch => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const texts: string[] = [];
    for (let at = 0; at < bytes.length; ) {
      let end = bytes.indexOf(NEWLINE, at);
      if (end === -1) end = bytes.length;
      number++;
      if (end - at > MAX_LINE_BYTES) throw tooLong(number, `${end - at} octets, maximum ${MAX_LINE_BYTES}`);
      const contentEnd = end > at && bytes[end - 1] === CR ? end - 1 : end;
      try {
        texts.push(decoder.decode(bytes.subarray(at, contentEnd)));
      } catch {
        throw ExtractMalformedLine({ file, line: number, reason: 'texte qui n’est pas de l’UTF-8 valide' });
      }
      at = end + 1;
    }
    return { first, texts };
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline !== -1) {
        let complete = chunk.subarray(0, lastNewline + 1);
        if (pendingBytes > 0) {
          complete = Buffer.concat([...pending, complete], pendingBytes + complete.length);
          pending = [];
          pendingBytes = 0;
        }
        yield linesOf(complete);
      }
      if (lastNewline + 1 < chunk.length) {
        pending.push(chunk.subarray(lastNewline + 1));
        pendingBytes += chunk.length - lastNewline - 1;
        if (pendingBytes > MAX_LINE_BYTES) throw tooLong(number + 1, `plus de ${MAX_LINE_BYTES} octets`);
      }
    }
  } catch (error) {
    if (isCaduceeError(error)) throw error;
    // The stream itself failed: a zip entry whose compressed data is corrupt or cut short
    // (zlib, or yauzl's size checks), a read error. Say where, as for a malformed line.
    throw ExtractFileUnreadable(
      {
        file,
        reason: `lecture interrompue vers la ligne ${number + 1}, archive corrompue ou tronquée ? (${(error as Error).message})`,
      },
      error,
    );
  }
  if (pendingBytes > 0) yield linesOf(Buffer.concat(pending, pendingBytes));
}

/** The same lines one by one. */
export async function* readLines(stream: Readable, file: string): AsyncGenerator<Line> {
  for await (const { first, texts } of readLineBatches(stream, file)) {
    for (const [index, text] of texts.entries()) yield { number: first + index, text };
  }
}
