/** The test IGC-Santé-like PKI: CAs, TLS server certificates, CRLs, PKCS#12 packaging. */
export { buildCrl, type RevokedEntry } from './crl.ts';
export {
  type Authority,
  ensureHierarchy,
  ensureServerCertificate,
  type Hierarchy,
  pkiDir,
  type TlsCredentials,
} from './hierarchy.ts';
export { toPkcs12 } from './pkcs12.ts';
export {
  type CryptoKey,
  EXTRA_NAMES,
  generateKeyPair,
  type KeyKind,
  privateKeyFromPem,
  privateKeyToPem,
  randomSerial,
  signingAlgorithm,
  x509,
} from './x509.ts';
