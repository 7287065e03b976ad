import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { OidcDb } from '../store/tables.ts';

export type SigningAlg = 'ES256' | 'RS256';
const ALGS: SigningAlg[] = ['ES256', 'RS256'];

export interface SigningKeySummary {
  kid: string;
  alg: string;
  createdAt: string;
  retiredAt: string | null;
}

async function newKey(db: OidcDb, alg: SigningAlg, now: Date): Promise<void> {
  const { privateKey } = await generateKeyPair(
    alg,
    alg === 'RS256' ? { extractable: true, modulusLength: 2048 } : { extractable: true },
  );
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  await db
    .insertInto('oidc_key')
    .values({ kid, alg, private_jwk: JSON.stringify(jwk), created_at: now.toISOString(), retired_at: null })
    .execute();
}

/** One active key per algorithm, created if missing. Keys live in the database, not in files. */
export async function ensureSigningKeys(db: OidcDb, now = new Date()): Promise<void> {
  const active = await db.selectFrom('oidc_key').select('alg').where('retired_at', 'is', null).execute();
  for (const alg of ALGS) if (!active.some((key) => key.alg === alg)) await newKey(db, alg, now);
}

/**
 * Rotation: new keys sign from now on; the old ones are retired but stay published until every
 * token they signed has expired (`graceSeconds`), so relying parties can still verify them.
 */
export async function rotateSigningKeys(db: OidcDb, now = new Date()): Promise<SigningKeySummary[]> {
  await db
    .updateTable('oidc_key')
    .set({ retired_at: now.toISOString() })
    .where('retired_at', 'is', null)
    .execute();
  for (const alg of ALGS) await newKey(db, alg, now);
  return listSigningKeys(db);
}

export async function listSigningKeys(db: OidcDb): Promise<SigningKeySummary[]> {
  const rows = await db
    .selectFrom('oidc_key')
    .select(['kid', 'alg', 'created_at', 'retired_at'])
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => ({
    kid: row.kid,
    alg: row.alg,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  }));
}

/**
 * The provider's JWKS: active keys first (oidc-provider signs with the first key of an
 * algorithm), then retired keys still within their grace period.
 */
export async function publishedKeys(
  db: OidcDb,
  graceSeconds: number,
  now = new Date(),
): Promise<{ keys: JWK[]; version: string }> {
  const limit = new Date(now.getTime() - graceSeconds * 1000).toISOString();
  const rows = await db
    .selectFrom('oidc_key')
    .select(['kid', 'private_jwk', 'created_at', 'retired_at'])
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', limit)]))
    .orderBy('created_at', 'desc')
    .execute();
  const ordered = [...rows.filter((row) => !row.retired_at), ...rows.filter((row) => row.retired_at)];
  return {
    keys: ordered.map((row) => JSON.parse(row.private_jwk) as JWK),
    version: ordered.map((row) => `${row.kid}:${row.retired_at ?? ''}`).join(','),
  };
}
