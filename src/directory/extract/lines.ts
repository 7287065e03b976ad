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

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines (LF or CRLF), checking UTF-8 strictly and dropping a leading
 * BOM. Errors name the file and line. Works on bytes so that a huge line is detected without
 * holding it, and so that invalid UTF-8 is reported where it is.
 */
export async function* readLines(stream: Readable, file: string): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;

  const decode = (bytes: Buffer, lineNumber: number): string => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    try {
      // ignoreBOM: false makes the decoder drop a BOM that starts the file.
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw ExtractMalformedLine({ file, line: lineNumber, reason: 'texte qui n’est pas de l’UTF-8 valide' });
    }
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      while (newline !== -1) {
        number++;
        let bytes = chunk.subarray(start, newline);
        if (pendingBytes > 0) {
          pending.push(bytes);
          bytes = Buffer.concat(pending, pendingBytes + bytes.length);
          pending = [];
          pendingBytes = 0;
        }
        if (bytes.length > MAX_LINE_BYTES) {
          throw ExtractMalformedLine({
            file,
            line: number,
            reason: `ligne trop longue (${bytes.length} octets, maximum ${MAX_LINE_BYTES})`,
          });
        }
        yield { number, text: decode(bytes, number) };
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) {
          throw ExtractMalformedLine({
            file,
            line: number + 1,
            reason: `ligne trop longue (plus de ${MAX_LINE_BYTES} octets)`,
          });
        }
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
  if (pendingBytes > 0) {
    number++;
    yield { number, text: decode(Buffer.concat(pending, pendingBytes), number) };
  }
}
