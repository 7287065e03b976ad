import { CardRevoked } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

/**
 * Not in opposition. The registry is read on every check, so a revocation made on any node is
 * refused at once; the published CRL is checked too, for cards revoked by another tool.
 */
export const revocation: CardCheckStep = async (check, deps) => {
  const serial = check.certificate!.serialNumber.toLowerCase();
  const [status, crl] = await Promise.all([deps.registryStatus(serial), deps.crlSerials()]);
  if (status === 'revoked' || crl.has(serial)) throw CardRevoked({ serial });
};
