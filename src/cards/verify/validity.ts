import { CardExpired, CardNotYetValid } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

export const validity: CardCheckStep = async (check) => {
  const certificate = check.certificate!;
  if (check.now < certificate.notBefore)
    throw CardNotYetValid({ notBefore: certificate.notBefore.toISOString() });
  if (check.now > certificate.notAfter) throw CardExpired({ notAfter: certificate.notAfter.toISOString() });
};
