import forge from 'node-forge';

/**
 * A PKCS#12 file (the virtual CPS card) holding the key and certificate chain, protected by the
 * PIN (PBES2/AES-256, readable by browsers, OpenSSL 3 and Node).
 */
export function toPkcs12(options: {
  keyPem: string;
  certPem: string;
  chainPems: string[];
  password: string;
  friendlyName: string;
}): Buffer {
  const key = forge.pki.privateKeyFromPem(options.keyPem);
  const certificates = [options.certPem, ...options.chainPems].map((pem) =>
    forge.pki.certificateFromPem(pem),
  );
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, options.password, {
    algorithm: 'aes256',
    friendlyName: options.friendlyName,
    generateLocalKeyId: true,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
