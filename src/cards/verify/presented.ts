import { x509 } from '../../pki/index.ts';
import { CardNotPresented, CardUnknownIssuer } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

/** A certificate was presented and parses. */
export const presented: CardCheckStep = async (check) => {
  if (!check.presented || check.presented.length === 0) throw CardNotPresented({});
  try {
    check.certificate = new x509.X509Certificate(check.presented);
  } catch {
    throw CardUnknownIssuer({ issuer: 'certificat illisible' });
  }
};
