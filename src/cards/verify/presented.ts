import { createHash } from 'node:crypto';
import { x509 } from '../../pki/index.ts';
import { BoundedMap } from '../../platform/index.ts';
import { CardNotPresented, CardUnknownIssuer } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

/**
 * Certificates already parsed, by SHA-256 of their DER: a card presents the same bytes at every
 * login, and parsing the ASN.1 costs more than every other check together. Parsed certificates
 * are immutable; the checks that depend on time or state (validity, revocation, holder) still run
 * at every login.
 */
const parsed = new BoundedMap<string, x509.X509Certificate>(10_000);

function parse(der: Uint8Array): x509.X509Certificate {
  const digest = createHash('sha256').update(der).digest('base64');
  let certificate = parsed.get(digest);
  if (!certificate) {
    certificate = new x509.X509Certificate(der);
    parsed.set(digest, certificate);
  }
  return certificate;
}

/** A certificate was presented and parses. */
export const presented: CardCheckStep = async (check) => {
  if (!check.presented || check.presented.length === 0) throw CardNotPresented({});
  try {
    check.certificate = parse(check.presented);
  } catch {
    throw CardUnknownIssuer({ issuer: 'certificat illisible' });
  }
};
