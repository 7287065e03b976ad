import type { x509 } from '../../pki/index.ts';
import { CardUnknownIssuer } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

/**
 * Certificates whose signature was found good, with the CA that signed them: the signature of
 * given bytes does not change, and parsed certificates are reused from one login to the next
 * (presented.ts), so each card's signature is checked once per CA.
 */
const verifiedBy = new WeakMap<x509.X509Certificate, x509.X509Certificate>();

/** Issued, and signed, by the card CA (IGC-Santé "PERSONNES"). */
export const issuer: CardCheckStep = async (check, deps) => {
  const certificate = check.certificate!;
  const signed =
    certificate.issuer === deps.personsCa.subject &&
    (verifiedBy.get(certificate) === deps.personsCa ||
      (await certificate
        .verify({ publicKey: deps.personsCa.publicKey, signatureOnly: true })
        .catch(() => false)));
  if (!signed) throw CardUnknownIssuer({ issuer: certificate.issuer });
  verifiedBy.set(certificate, deps.personsCa);
};
