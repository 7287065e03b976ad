import type { TLSSocket } from 'node:tls';
import type { Context } from 'hono';
import { x509 } from '../../pki/index.ts';
import { incomingOf, peerAddress, type TrustedProxies } from '../../platform/index.ts';

export interface PresentedCertificateSource {
  mode: 'tls' | 'proxy';
  trustedProxies: TrustedProxies;
  proxyHeader: string;
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
  // The peer itself, never X-Forwarded-For: only the proxy that verified the card may vouch for it.
  if (!source.trustedProxies.has(peerAddress(incomingOf(c))))
    return { der: undefined, ignoredHeader: Boolean(header) };
  if (!header) return { der: undefined, ignoredHeader: false };
  try {
    const pem = decodeURIComponent(header);
    return { der: new Uint8Array(x509.PemConverter.decode(pem)[0]!), ignoredHeader: false };
  } catch {
    return { der: undefined, ignoredHeader: false };
  }
}
