import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

import * as x509 from '@peculiar/x509';

// @peculiar/x509 needs a WebCrypto implementation; Node's is the real one.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** Attribute names of IGC-Santé subjects that the library does not know by these short names. */
export const EXTRA_NAMES = { GN: '2.5.4.42', title: '2.5.4.12', serialNumber: '2.5.4.5' };

export const RSA_SIGNING = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};
export const ECDSA_SIGNING = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export type KeyKind = 'rsa' | 'ec';

export async function generateKeyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  const algorithm = kind === 'rsa' ? RSA_SIGNING : ECDSA_SIGNING;
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export function signingAlgorithm(kind: KeyKind) {
  return kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', hash: 'SHA-256' };
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function privateKeyFromPem(pem: string, kind: KeyKind): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0]!;
  const algorithm = kind === 'rsa' ? RSA_SIGNING : ECDSA_SIGNING;
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']);
}

/** Random positive serial, 16 bytes as IGC-Santé's, in hex. */
export function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
}
