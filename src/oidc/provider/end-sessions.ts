import type Provider from 'oidc-provider';
import type { Logger } from '../../platform/index.ts';
import type { OidcDb } from '../store/tables.ts';

export interface EndedSessions {
  /** Provider sessions destroyed. */
  sessions: number;
  /** Grants revoked, with every code and token issued under them. */
  grants: number;
  /** Clients whose back-channel logout URI accepted the logout token. */
  notified: string[];
  /** Clients whose back-channel logout URI could not be reached or refused it. */
  notificationFailures: string[];
}

/** What `end_session` reaches for on a client, and the type declarations leave out. */
interface LogoutClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

/** The live sessions of an account in the durable store (the `account_id` lookup column). */
export function storeSessionIdsOf(db: OidcDb, accountId: string, now = new Date()): Promise<string[]> {
  return liveIdsOf(db, 'Session', accountId, now);
}

/**
 * The live grants of an account, always in the durable store (Redis holds no grant): those of its
 * sessions, and those no live session names any more (CIBA logins, which open no session, and
 * offline access that outlived its session).
 */
export function storeGrantIdsOf(db: OidcDb, accountId: string, now = new Date()): Promise<string[]> {
  return liveIdsOf(db, 'Grant', accountId, now);
}

async function liveIdsOf(db: OidcDb, model: 'Session' | 'Grant', accountId: string, now: Date) {
  const rows = await db
    .selectFrom('oidc_payload')
    .select('id')
    .where('model', '=', model)
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]))
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Ends every provider session of one account, as RP-initiated logout ends the current one
 * (oidc-provider's `end_session` confirm step): the session, the revocation of its grants, and a
 * back-channel logout (`Client#backchannelLogout(sub, sid)`) to each of its clients that
 * registered a URI.
 *
 * Unlike `end_session`, grants marked `persistsLogout` (offline access) are revoked too: the
 * professional asks for everything to stop, for instance after losing a device.
 */
export async function endSessionsOfAccount(options: {
  provider: Provider;
  /** Where the sessions are: the store's lookup column, or Redis's index in the scale-out mode. */
  sessionIdsOf: (accountId: string) => Promise<string[]>;
  /** Every live grant of the account (`storeGrantIdsOf`), sessions or not. */
  grantIdsOf: (accountId: string) => Promise<string[]>;
  accountId: string;
  log: Logger;
}): Promise<EndedSessions> {
  const { provider, accountId, log } = options;
  const ids = await options.sessionIdsOf(accountId);
  const ended: EndedSessions = { sessions: 0, grants: 0, notified: [], notificationFailures: [] };
  const revokedGrants = new Set<string>();
  for (const id of ids) {
    // Through the model, so that what is ended is what the provider itself would load.
    const session = await provider.Session.find(id);
    if (!session || session.accountId !== accountId) continue;
    const clientIds = Object.keys(session.authorizations ?? {});
    // Session and grants go first, so that a relying party told of the logout finds its tokens
    // already inactive, and the browser can get no new code from the session meanwhile.
    await session.destroy();
    for (const clientId of clientIds) {
      const grantId = session.grantIdFor(clientId);
      if (!grantId || revokedGrants.has(grantId)) continue;
      revokedGrants.add(grantId);
      await revokeGrant(provider, grantId);
    }
    await Promise.all(
      clientIds.map(async (clientId) => {
        const client = (await findClient(provider, clientId)) as LogoutClient | undefined;
        if (!client?.backchannelLogoutUri) return;
        try {
          await client.backchannelLogout(accountId, session.sidFor(clientId));
          ended.notified.push(clientId);
        } catch (error) {
          // The session is over anyway; the relying party's own session lasts until it next
          // refreshes or introspects.
          ended.notificationFailures.push(clientId);
          log.warn({ err: error, clientId }, 'back-channel logout failed');
        }
      }),
    );
    ended.sessions += 1;
  }
  // Grants no session names: a CIBA login's, offline access whose session has expired. Their
  // tokens stop too; with no session there is no `sid` to send a back-channel logout for.
  for (const grantId of await options.grantIdsOf(accountId)) {
    if (revokedGrants.has(grantId)) continue;
    revokedGrants.add(grantId);
    await revokeGrant(provider, grantId);
  }
  ended.grants = revokedGrants.size;
  ended.notified.sort();
  ended.notificationFailures.sort();
  return ended;
}

/** A client removed since the login, or whose metadata no longer validates, gets no logout call. */
async function findClient(provider: Provider, clientId: string) {
  try {
    return await provider.Client.find(clientId);
  } catch {
    return undefined;
  }
}

/**
 * oidc-provider's own revocation helper needs a request context; this does what it does for a
 * grant outside any request: every code and token of the grant, then the grant.
 */
async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.BackchannelAuthenticationRequest.revokeByGrantId(grantId),
  ]);
  await provider.Grant.adapter.destroy(grantId);
}
