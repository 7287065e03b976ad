import type { TLSSocket } from 'node:tls';
import type { Context } from 'hono';
import { x509 } from '../../pki/index.ts';

export interface PresentedCertificateSource {
  mode: 'tls' | 'proxy';
  trustedProxies: ReadonlySet<string>;
  proxyHeader: string;
}

export function remoteAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } }).incoming;
  return (incoming?.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/**
 * The client certificate of this request: from the TLS handshake, or (proxy mode) from the
 * header a trusted reverse proxy sets (nginx `$ssl_client_escaped_cert`). A header from any other
 * address is ignored: anyone can send one.
 */
export function presentedCertificate(
  c: Context,
  source: PresentedCertificateSource,
): { der: Uint8Array | undefined; ignoredHeader: boolean } {
  if (source.mode === 'tls') {
    const socket = (c.env as { incoming?: { socket?: TLSSocket } }).incoming?.socket;
    const peer = socket?.getPeerX509Certificate?.();
    return { der: peer ? new Uint8Array(peer.raw) : undefined, ignoredHeader: false };
  }
  const header = c.req.header(source.proxyHeader);
  if (!source.trustedProxies.has(remoteAddress(c))) return { der: undefined, ignoredHeader: Boolean(header) };
  if (!header) return { der: undefined, ignoredHeader: false };
  try {
    const pem = decodeURIComponent(header);
    return { der: new Uint8Array(x509.PemConverter.decode(pem)[0]!), ignoredHeader: false };
  } catch {
    return { der: undefined, ignoredHeader: false };
  }
}
