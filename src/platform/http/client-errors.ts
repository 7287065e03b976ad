import { maxHeaderSize, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type CaduceeError, MalformedHttpRequest, RequestHeadersTooLarge } from '../errors/index.ts';
import { errorPage } from './render-error.ts';
import { securityHeaders } from './security-headers.ts';

/**
 * Requests Node's HTTP parser refuses before any handler sees them: a request line or headers
 * over `server.maxHeaderSize` (16 KiB by default: an authorization URL stuffed with parameters),
 * or bytes that are no HTTP. Node would answer a bare 431 or 400 with no body; this answers the
 * catalogued error as a page (a browser is the usual sender of a long URL), with our security
 * headers, then closes the connection as Node does.
 */
export function answerClientErrors(server: Server, maxHeaderBytes = maxHeaderSize): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset or timed out has no one left to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal: CaduceeError =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? RequestHeadersTooLarge({ maxBytes: maxHeaderBytes })
        : MalformedHttpRequest({});
    const body = Buffer.from(String(errorPage(refusal)));
    const headers = {
      ...securityHeaders(),
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
      connection: 'close',
    };
    const head = [
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ].join('\r\n');
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]));
  });
}
