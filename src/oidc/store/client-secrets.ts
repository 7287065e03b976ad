import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BoundedMap } from '../../platform/index.ts';
import { ClientSecretUnreadable } from '../errors.ts';
import type { ClientSecretKey } from '../keys/client-secret-key.ts';
import type { OidcDb } from './tables.ts';

/**
 * Client secrets at rest. oidc-provider needs them in clear (it compares them, and computes the
 * HMAC of `client_secret_jwt` with them), so they cannot be hashed: they are encrypted with
 * AES-256-GCM under a key kept outside the database, and decrypted when the provider reads the
 * client. The client id is the additional authenticated data: a sealed secret copied onto another
 * client's row does not open.
 */
const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';

export function sealClientSecret(key: ClientSecretKey, clientId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key.key.subarray(0, 32), iv);
  cipher.setAAD(Buffer.from(clientId, 'utf8'));
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, data, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join(':');
}

export function openClientSecret(key: ClientSecretKey, clientId: string, sealed: string): string {
  const [version, iv, data, tag] = sealed.split(':');
  try {
    if (version !== VERSION || !iv || !data || !tag) throw new Error(`unknown sealed secret format`);
    const decipher = createDecipheriv(ALGORITHM, key.key.subarray(0, 32), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(clientId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw ClientSecretUnreadable({ clientId, keyFile: key.file }, error);
  }
}

/** Opens a client's sealed secret (`openClientSecret` with the key, or a memo of it). */
export type SecretOpener = (clientId: string, sealed: string) => string;

export const secretOpener =
  (key: ClientSecretKey): SecretOpener =>
  (clientId, sealed) =>
    openClientSecret(key, clientId, sealed);

/**
 * An opener that remembers the last `maxSize` secrets it opened. The provider reads a client's
 * row at every request that names the client, and opening (AES-GCM with a new key object each
 * time) was about 6 % of a userinfo request (profile in docs/benchmarks.md). The memo is keyed by
 * the client id and the sealed text together: a sealed secret copied onto another client's row is
 * opened for real, and refused. Holds no more than the provider's parsed clients already hold.
 */
export function rememberingSecretOpener(key: ClientSecretKey, maxSize: number): SecretOpener {
  const opened = new BoundedMap<string, string>(maxSize);
  return (clientId, sealed) => {
    const memo = `${clientId}\n${sealed}`;
    const known = opened.get(memo);
    if (known !== undefined) return known;
    const secret = openClientSecret(key, clientId, sealed);
    opened.set(memo, secret);
    return secret;
  };
}

/** A stored row as the provider must see it: the metadata, with the secret in clear if any. */
export function clientFromRow(
  open: SecretOpener,
  row: { client_id: string; metadata: string; secret_sealed: string | null },
): Record<string, unknown> & { client_id: string } {
  const metadata = JSON.parse(row.metadata) as Record<string, unknown> & { client_id: string };
  // Rows registered before secrets were sealed keep theirs in the metadata until sealed.
  if (row.secret_sealed !== null) metadata.client_secret = open(row.client_id, row.secret_sealed);
  return metadata;
}

/**
 * Seals the secrets still stored in clear (clients registered before this version, or written
 * straight into the table). Run when the provider starts; each row is rewritten only if nobody
 * changed it meanwhile, so that nodes starting together agree. Returns the rows sealed.
 */
export async function sealClearClientSecrets(db: OidcDb, key: ClientSecretKey): Promise<number> {
  const rows = await db
    .selectFrom('oidc_client')
    .select(['client_id', 'metadata'])
    .where('secret_sealed', 'is', null)
    .where('metadata', 'like', '%"client_secret"%')
    .execute();
  let sealed = 0;
  for (const row of rows) {
    const { client_secret: secret, ...rest } = JSON.parse(row.metadata) as Record<string, unknown>;
    if (typeof secret !== 'string') continue;
    const result = await db
      .updateTable('oidc_client')
      .set({ metadata: JSON.stringify(rest), secret_sealed: sealClientSecret(key, row.client_id, secret) })
      .where('client_id', '=', row.client_id)
      .where('metadata', '=', row.metadata)
      .where('secret_sealed', 'is', null)
      .executeTakeFirst();
    sealed += Number(result.numUpdatedRows);
  }
  return sealed;
}
