import { createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { atMostEvery, BoundedMap } from '../platform/index.ts';
import { EcpsDeviceUnauthorized } from './errors.ts';
import type { EcpsDb, EcpsDeviceTable } from './store/tables.ts';

/**
 * Every call of the app is signed by the device key: a JWS (ES256, `kid` = device id) over the
 * method, the URL, the body's hash, a fresh `iat` and a `jti` seen only once. A captured call
 * cannot be replayed nor reused for another request.
 */
export const DEVICE_AUTH_SCHEME = 'ECPS';
const MAX_AGE_SECONDS = 60;

/**
 * Expired replay markers are deleted at most this often per store: deleting them after every
 * call made every signed call two writes. Markers left a little longer only refuse more.
 */
const PURGE_EVERY_MS = 10_000;
const purgeDue = new WeakMap<EcpsDb, (now: Date) => boolean>();

/** Device public keys as imported, by their JWK text: a key is parsed once, not at every call. */
const importedKeys = new BoundedMap<string, Awaited<ReturnType<typeof importJWK>>>(10_000);

async function deviceKey(publicJwk: string) {
  const known = importedKeys.get(publicJwk);
  if (known) return known;
  const key = await importJWK(JSON.parse(publicJwk) as JWK, 'ES256');
  importedKeys.set(publicJwk, key);
  return key;
}

export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

export async function authenticateDevice(
  db: EcpsDb,
  request: { authorization: string | undefined; method: string; url: string; body: string },
  now: Date,
): Promise<EcpsDeviceTable> {
  const [scheme, token] = (request.authorization ?? '').split(' ');
  if (scheme !== DEVICE_AUTH_SCHEME || !token) throw EcpsDeviceUnauthorized({ reason: 'signature absente' });
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw EcpsDeviceUnauthorized({ reason: 'signature illisible' });
  }
  // The header is the caller's JSON: a kid that is an object or a number must not reach the
  // query (SQLite refuses to bind it, which would surface as an internal error).
  const device =
    typeof kid === 'string' && kid.length <= 100
      ? await db.selectFrom('ecps_device').selectAll().where('id', '=', kid).executeTakeFirst()
      : undefined;
  if (!device) throw EcpsDeviceUnauthorized({ reason: 'appareil inconnu' });
  let payload: Record<string, unknown>;
  try {
    const key = await deviceKey(device.public_jwk);
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      currentDate: now,
      maxTokenAge: MAX_AGE_SECONDS,
      clockTolerance: 5,
    }));
  } catch {
    throw EcpsDeviceUnauthorized({ reason: 'signature invalide ou périmée' });
  }
  if (payload.htm !== request.method || payload.htu !== request.url)
    throw EcpsDeviceUnauthorized({ reason: 'signature faite pour un autre appel' });
  if (payload.bh !== bodyHash(request.body)) throw EcpsDeviceUnauthorized({ reason: 'contenu modifié' });
  const jti = typeof payload.jti === 'string' ? payload.jti : '';
  if (!jti) throw EcpsDeviceUnauthorized({ reason: 'identifiant de signature absent' });
  const inserted = await db
    .insertInto('ecps_seen_jti')
    .values({
      jti: `${device.id}:${jti}`,
      expires_at: new Date(now.getTime() + 2 * MAX_AGE_SECONDS * 1000).toISOString(),
    })
    .onConflict((oc) => oc.column('jti').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
    throw EcpsDeviceUnauthorized({ reason: 'appel rejoué' });
  let due = purgeDue.get(db);
  if (!due) {
    due = atMostEvery(PURGE_EVERY_MS);
    purgeDue.set(db, due);
  }
  if (due(now)) await db.deleteFrom('ecps_seen_jti').where('expires_at', '<', now.toISOString()).execute();
  return device;
}
