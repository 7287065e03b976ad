import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CryptoKey,
  generateKeyPair,
  type KeyKind,
  privateKeyFromPem,
  privateKeyToPem,
  randomSerial,
  signingAlgorithm,
  x509,
} from './x509.ts';

/**
 * A test hierarchy modelled on IGC-Santé (range FORT): a root, a "PERSONNES" CA that issues
 * CPS card certificates, and a "SERVEURS" CA that issues the TLS certificates of the local
 * hosts. Names carry the TEST prefix, as ANS's test CAs do. Files live under `<dataDir>/pki`:
 * certificates readable by all, private keys by the owner only.
 */
export interface Authority {
  name: 'root' | 'persons' | 'servers';
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
  kind: KeyKind;
  pem: string;
}

export interface TlsCredentials {
  certPem: string;
  keyPem: string;
  /** Chain without the root, for servers to send. */
  chainPem: string;
  /** Root certificate to trust (browsers, tests, relying parties). */
  caPem: string;
  /** Certificate then chain, as servers send them. */
  fullChainPem: string;
}

function credentials(certPem: string, keyPem: string, chainPem: string, caPem: string): TlsCredentials {
  const fullChainPem = `${[certPem, chainPem].map((pem) => pem.trim()).join('\n')}\n`;
  return { certPem, keyPem, chainPem, caPem, fullChainPem };
}

export interface Hierarchy {
  root: Authority;
  persons: Authority;
  servers: Authority;
  dir: string;
}

const DN_BASE = 'C=FR, O=ASIP-SANTE, OU=IGC-SANTE';
const NAMES = {
  root: `${DN_BASE}, CN=TEST AC RACINE IGC-SANTE FORT`,
  persons: `${DN_BASE}, CN=TEST AC IGC-SANTE FORT PERSONNES`,
  servers: `${DN_BASE}, CN=TEST AC IGC-SANTE FORT SERVEURS`,
};

const YEAR = 365 * 24 * 3600 * 1000;

function writePrivate(file: string, content: string) {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}

async function createAuthority(
  name: Authority['name'],
  issuer: Authority | undefined,
  crlUrl: string | undefined,
): Promise<Authority> {
  const kind: KeyKind = 'rsa';
  const keys = await generateKeyPair(kind);
  const notBefore = new Date(Date.now() - 3600_000);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, name === 'root' ? undefined : 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  let certificate: x509.X509Certificate;
  if (!issuer) {
    certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: NAMES.root,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 20 * YEAR),
      keys,
      signingAlgorithm: signingAlgorithm(kind),
      extensions,
    });
  } else {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate));
    if (crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([crlUrl]));
    certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: NAMES[name],
      issuer: issuer.certificate.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 10 * YEAR),
      publicKey: keys.publicKey,
      signingKey: issuer.privateKey,
      signingAlgorithm: signingAlgorithm(issuer.kind),
      extensions,
    });
  }
  return { name, certificate, privateKey: keys.privateKey, kind, pem: certificate.toString('pem') };
}

async function loadAuthority(dir: string, name: Authority['name']): Promise<Authority | undefined> {
  const certFile = path.join(dir, `${name}-ca.pem`);
  const keyFile = path.join(dir, `${name}-ca.key.pem`);
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  const pem = readFileSync(certFile, 'utf8');
  return {
    name,
    certificate: new x509.X509Certificate(pem),
    privateKey: await privateKeyFromPem(readFileSync(keyFile, 'utf8'), 'rsa'),
    kind: 'rsa',
    pem,
  };
}

async function saveAuthority(dir: string, authority: Authority) {
  writeFileSync(path.join(dir, `${authority.name}-ca.pem`), authority.pem);
  writePrivate(path.join(dir, `${authority.name}-ca.key.pem`), await privateKeyToPem(authority.privateKey));
}

export function pkiDir(dataDir: string): string {
  return path.join(dataDir, 'pki');
}

/**
 * Loads the hierarchy, creating whatever is missing (idempotent: `caducee pki init` and every
 * start call it). `crlBaseUrl` is where the CAs' CRLs are published (the card host).
 */
export async function ensureHierarchy(
  dataDir: string,
  crlBaseUrl: string,
): Promise<{ hierarchy: Hierarchy; created: string[] }> {
  const dir = pkiDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  let root = await loadAuthority(dir, 'root');
  if (!root) {
    root = await createAuthority('root', undefined, undefined);
    await saveAuthority(dir, root);
    created.push(NAMES.root);
  }
  const ensure = async (name: 'persons' | 'servers') => {
    let authority = await loadAuthority(dir, name);
    if (!authority) {
      authority = await createAuthority(name, root, `${crlBaseUrl}/crl/root-ca.crl`);
      await saveAuthority(dir, authority);
      created.push(NAMES[name]);
    }
    return authority;
  };
  const persons = await ensure('persons');
  const servers = await ensure('servers');
  return { hierarchy: { root, persons, servers, dir }, created };
}

/**
 * The TLS server certificate of the local hosts (ECDSA P-256: the handshake is the hot path of
 * card logins and token calls). Re-issued when the host names change or it nears expiry.
 */
export async function ensureServerCertificate(
  hierarchy: Hierarchy,
  hostnames: string[],
): Promise<TlsCredentials> {
  const certFile = path.join(hierarchy.dir, 'tls-server.pem');
  const keyFile = path.join(hierarchy.dir, 'tls-server.key.pem');
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hostnames])].sort();
  const chainPem = hierarchy.servers.pem;
  if (existsSync(certFile) && existsSync(keyFile)) {
    const existing = new x509.X509Certificate(readFileSync(certFile, 'utf8'));
    const san = existing.getExtension(x509.SubjectAlternativeNameExtension);
    const existingNames = (san?.names.items ?? []).map((item) => item.value).sort();
    const fresh = existing.notAfter.getTime() - Date.now() > 30 * 24 * 3600 * 1000;
    const sameIssuer = existing.issuer === hierarchy.servers.certificate.subject;
    if (fresh && sameIssuer && JSON.stringify(existingNames) === JSON.stringify(names)) {
      return credentials(
        readFileSync(certFile, 'utf8'),
        readFileSync(keyFile, 'utf8'),
        chainPem,
        hierarchy.root.pem,
      );
    }
  }
  const keys = await generateKeyPair('ec');
  const notBefore = new Date(Date.now() - 3600_000);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${names.includes('localhost') ? 'localhost' : names[0]}, O=CADUCEE, C=FR`,
    issuer: hierarchy.servers.certificate.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + YEAR),
    publicKey: keys.publicKey,
    signingKey: hierarchy.servers.privateKey,
    signingAlgorithm: signingAlgorithm(hierarchy.servers.kind),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((name) =>
          /^[\d.]+$|:/.test(name)
            ? { type: 'ip' as const, value: name }
            : { type: 'dns' as const, value: name },
        ),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(hierarchy.servers.certificate),
    ],
  });
  const certPem = certificate.toString('pem');
  const keyPem = await privateKeyToPem(keys.privateKey);
  writeFileSync(certFile, certPem);
  writePrivate(keyFile, keyPem);
  return credentials(certPem, keyPem, chainPem, hierarchy.root.pem);
}
