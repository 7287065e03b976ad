import { randomBytes, randomUUID } from 'node:crypto';
import type { OidcDb } from '../store/tables.ts';

async function secret(db: OidcDb, name: string, make: () => string): Promise<string> {
  const existing = await db
    .selectFrom('oidc_secret')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  if (existing) return existing.value;
  await db
    .insertInto('oidc_secret')
    .values({ name, value: make(), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  // Another node may have won the race: read what is stored.
  return (
    await db.selectFrom('oidc_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow()
  ).value;
}

/** The uuid in `sub` = `f:<uuid>:<national id>` (Keycloak's federated-user form, as PSC). */
export function deploymentId(db: OidcDb): Promise<string> {
  return secret(db, 'deployment-id', () => randomUUID());
}

/** Keys that sign the provider's cookies, shared by every node. */
export async function cookieKeys(db: OidcDb): Promise<string[]> {
  return JSON.parse(
    await secret(db, 'cookie-keys', () => JSON.stringify([randomBytes(32).toString('base64url')])),
  ) as string[];
}
