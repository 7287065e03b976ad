import type { Authority } from './hierarchy.ts';
import { signingAlgorithm, x509 } from './x509.ts';

export interface RevokedEntry {
  serial: string;
  revokedAt: Date;
}

/**
 * A CRL of `authority` listing `revoked` (reason keyCompromise is the card "opposition"). Short
 * next-update so relying software refetches: the card host itself reads revocations live.
 */
export async function buildCrl(
  authority: Authority,
  revoked: RevokedEntry[],
  number: number,
  now = new Date(),
): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: authority.certificate.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + 24 * 3600 * 1000),
    signingKey: authority.privateKey,
    signingAlgorithm: signingAlgorithm(authority.kind),
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(authority.certificate),
      new x509.Extension('2.5.29.20', false, numberExtensionValue(number)),
    ],
    entries: revoked.map((entry) => ({
      serialNumber: entry.serial,
      revocationDate: entry.revokedAt,
      reason: x509.X509CrlReason.keyCompromise,
    })),
  });
}

/** DER INTEGER of the CRL number (RFC 5280 §5.2.3). */
function numberExtensionValue(number: number): ArrayBuffer {
  let hex = number.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const body = Buffer.from(hex, 'hex');
  const der = Buffer.concat([Buffer.from([0x02, body.length]), body]);
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.length) as ArrayBuffer;
}
