import { CardUnknownIssuer } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

/** Issued, and signed, by the card CA (IGC-Santé "PERSONNES"). */
export const issuer: CardCheckStep = async (check, deps) => {
  const certificate = check.certificate!;
  const signed =
    certificate.issuer === deps.personsCa.subject &&
    (await certificate
      .verify({ publicKey: deps.personsCa.publicKey, signatureOnly: true })
      .catch(() => false));
  if (!signed) throw CardUnknownIssuer({ issuer: certificate.issuer });
};
