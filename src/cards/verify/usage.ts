import { x509 } from '../../pki/index.ts';
import { CardBadUsage } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** An authentication certificate: digitalSignature, and clientAuth when usages are restricted. */
export const usage: CardCheckStep = async (check) => {
  const certificate = check.certificate!;
  const keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
  if (keyUsage && !(keyUsage.usages & x509.KeyUsageFlags.digitalSignature)) {
    throw CardBadUsage({ reason: 'pas de signature numérique' });
  }
  const extended = certificate.getExtension(x509.ExtendedKeyUsageExtension);
  if (extended && !extended.usages.map(String).includes(CLIENT_AUTH)) {
    throw CardBadUsage({ reason: "pas d'usage authentification client" });
  }
  const basic = certificate.getExtension(x509.BasicConstraintsExtension);
  if (basic?.ca) throw CardBadUsage({ reason: "certificat d'autorité" });
};
