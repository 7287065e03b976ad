import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Person } from '../directory/index.ts';
import {
  generateKeyPair,
  type Hierarchy,
  privateKeyToPem,
  randomSerial,
  signingAlgorithm,
  toPkcs12,
  x509,
} from '../pki/index.ts';
import { cardSubject } from './card-subject.ts';
import { CardInvalidPin } from './errors.ts';

export interface IssuedCard {
  serial: string;
  idnat: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  /** The virtual card: a PKCS#12 file whose password is the PIN. */
  file: string;
  pin: string;
  certificatePem: string;
}

export function checkPin(pin: string): void {
  if (!/^\d{4}$/.test(pin)) throw CardInvalidPin({});
}

/**
 * Issues an authentication certificate for a directory person, as on a CPS card: RSA 2048,
 * IGC-Santé subject, digitalSignature + clientAuth, CRL distribution point, and writes the
 * virtual card (PKCS#12 protected by the 4-digit PIN).
 */
export async function issueCard(options: {
  person: Person;
  hierarchy: Hierarchy;
  crlUrl: string;
  pin?: string;
  validDays: number;
  out: string;
  now?: Date;
}): Promise<IssuedCard> {
  const pin = options.pin ?? String(randomInt(0, 10_000)).padStart(4, '0');
  checkPin(pin);
  const { person, hierarchy } = options;
  const exercice = person.exercices[0];
  const holder = {
    idnat: person.nationalId,
    surname: (exercice?.nomExercice || person.familyName).toUpperCase(),
    givenName: (exercice?.prenomExercice || person.givenNames[0] || '').toUpperCase(),
    title: exercice?.profession.label ?? 'Professionnel de santé',
  };
  const keys = await generateKeyPair('rsa');
  const notBefore = new Date((options.now ?? new Date()).getTime() - 5 * 60_000);
  const notAfter = new Date(notBefore.getTime() + options.validDays * 24 * 3600 * 1000);
  const serial = randomSerial();
  const subject = cardSubject(holder);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject,
    issuer: hierarchy.persons.certificate.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: hierarchy.persons.privateKey,
    signingAlgorithm: signingAlgorithm(hierarchy.persons.kind),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.CRLDistributionPointsExtension([options.crlUrl]),
      await x509.AuthorityKeyIdentifierExtension.create(hierarchy.persons.certificate),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certificatePem = certificate.toString('pem');
  const pkcs12 = toPkcs12({
    keyPem: await privateKeyToPem(keys.privateKey),
    certPem: certificatePem,
    chainPems: [hierarchy.persons.pem, hierarchy.root.pem],
    password: pin,
    friendlyName: `CPS ${holder.givenName} ${holder.surname}`.trim(),
  });
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, pkcs12, { mode: 0o600 });
  return {
    serial: certificate.serialNumber.toLowerCase(),
    idnat: person.nationalId,
    subject: subject.toString(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    file: options.out,
    pin,
    certificatePem,
  };
}
