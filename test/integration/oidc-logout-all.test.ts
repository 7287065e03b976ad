import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Provider from 'oidc-provider';
import { allMigrations } from '../../src/cli/system.ts';
import {
  addClient,
  createOidc,
  loadClientSecretKey,
  type Oidc,
  type OidcDb,
  pscSubject,
} from '../../src/oidc/index.ts';
import { createLogger, migrate } from '../../src/platform/index.ts';
import { startTestRelyingParty, type TestRelyingParty } from '../support/relying-party.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';
import { freePort, type TestSystem, testSystem } from '../support/system.ts';

const GP = '899760000010';
const PHARMACIST = '899760000036';
const ACCOUNT_ID_MIGRATION = '2026-11-26-03-oidc-account-id';

function decodeJwt(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
}

/** SQLite rows have no prototype; compare their fields only. */
const plain = <T extends object>(rows: T[]): T[] => rows.map((row) => ({ ...row }));

for (const storeCase of storeCases()) {
  describe(`OpenID provider: ending every session of a professional (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let rp: TestRelyingParty;
    let oidc: Oidc;
    let provider: Provider;
    let db: OidcDb;

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened);
      db = opened.store.db as OidcDb;
      rp = await startTestRelyingParty();
      const client = (clientId: string, backchannel?: string) =>
        addClient(db, loadClientSecretKey(test.system.settings), {
          client_id: clientId,
          client_secret: `secret-of-${clientId}-0123456789abcdefghijklmnop`,
          redirect_uris: [rp.redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          ...(backchannel
            ? { backchannel_logout_uri: backchannel, backchannel_logout_session_required: true }
            : {}),
        });
      await client('rp-backchannel', rp.backchannelUri);
      await client('rp-plain');
      // Nothing listens there: the logout cannot be delivered, and the sessions end all the same.
      await client('rp-unreachable', `http://127.0.0.1:${await freePort()}/backchannel`);
      oidc = await createOidc({
        store: opened.store,
        directory: test.system.directory,
        cards: await test.system.cards(),
        settings: test.system.settings,
        audit: test.system.audit,
        log: createLogger('silent'),
        rateLimiter: test.system.rateLimiter(),
      });
      provider = oidc.holder.current();
    });

    after(async () => {
      await rp?.close();
      test?.dispose();
      await opened?.dispose();
    });

    /** A logged-in session with one authorization (grant, access and refresh token) per client. */
    async function loggedIn(idnat: string, clientIds: string[]) {
      const accountId = pscSubject(oidc.deploymentId, idnat);
      const authorizations: Record<string, { sid: string; grantId: string }> = {};
      const tokens: Record<string, { accessToken: string; refreshToken: string; grantId: string }> = {};
      for (const clientId of clientIds) {
        const client = (await provider.Client.find(clientId))!;
        const grant = new provider.Grant({ clientId, accountId });
        grant.addOIDCScope('openid scope_all');
        const grantId = await grant.save();
        const accessToken = await new provider.AccessToken({
          accountId,
          client,
          grantId,
          scope: 'openid scope_all',
          gty: 'authorization_code',
        }).save();
        const refreshToken = await new provider.RefreshToken({
          accountId,
          client,
          grantId,
          scope: 'openid scope_all',
          gty: 'authorization_code',
        }).save();
        authorizations[clientId] = { sid: `sid-${clientId}-${grantId.slice(0, 6)}`, grantId };
        tokens[clientId] = { accessToken, refreshToken, grantId };
      }
      const session = new provider.Session();
      session.loginAccount({ accountId, loginTs: Math.floor(Date.now() / 1000) });
      session.authorizations = authorizations;
      await session.save(3600);
      return { sessionId: session.jti, accountId, authorizations, tokens };
    }

    const alive = async (tokens: { accessToken: string; refreshToken: string; grantId: string }) => ({
      access: Boolean(await provider.AccessToken.find(tokens.accessToken)),
      refresh: Boolean(await provider.RefreshToken.find(tokens.refreshToken)),
      grant: Boolean(await provider.Grant.find(tokens.grantId)),
    });

    it('fills the account column of sessions, grants and tokens', async () => {
      const { sessionId, accountId, tokens } = await loggedIn(PHARMACIST, ['rp-plain']);
      const rows = await db
        .selectFrom('oidc_payload')
        .select(['model', 'account_id'])
        .where('id', 'in', [sessionId, tokens['rp-plain']!.grantId])
        .orderBy('model')
        .execute();
      assert.deepEqual(plain(rows), [
        { model: 'Grant', account_id: accountId },
        { model: 'Session', account_id: accountId },
      ]);
      const tokenRows = await db
        .selectFrom('oidc_payload')
        .select('account_id')
        .where('grant_id', '=', tokens['rp-plain']!.grantId)
        .execute();
      assert.deepEqual(
        tokenRows.map((row) => row.account_id),
        [accountId, accountId],
      );
      await provider.Session.adapter.destroy(sessionId);
    });

    it("ends the professional's sessions, revokes their grants and tells the clients, and no one else's", async () => {
      const first = await loggedIn(GP, ['rp-backchannel', 'rp-plain']);
      const second = await loggedIn(GP, ['rp-backchannel', 'rp-unreachable']);
      const other = await loggedIn(PHARMACIST, ['rp-backchannel']);
      const logoutsBefore = rp.logoutTokens.length;

      assert.equal(await oidc.endSessionsOf(GP, { ip: '192.0.2.10', method: 'ecps' }), 2);

      for (const { sessionId } of [first, second]) {
        assert.equal(await provider.Session.find(sessionId), undefined);
      }
      for (const tokens of [...Object.values(first.tokens), ...Object.values(second.tokens)]) {
        assert.deepEqual(await alive(tokens), { access: false, refresh: false, grant: false });
      }
      assert.ok(await provider.Session.find(other.sessionId), "another professional's session is kept");
      assert.deepEqual(await alive(other.tokens['rp-backchannel']!), {
        access: true,
        refresh: true,
        grant: true,
      });

      const delivered = rp.logoutTokens.slice(logoutsBefore).map(decodeJwt);
      assert.equal(delivered.length, 2, 'one logout token per session of the client');
      assert.deepEqual(
        delivered.map((token) => token.sid).sort(),
        [first.authorizations['rp-backchannel']!.sid, second.authorizations['rp-backchannel']!.sid].sort(),
      );
      for (const token of delivered) {
        assert.equal(token.iss, test.system.settings.idp.url);
        assert.equal(token.aud, 'rp-backchannel');
        assert.equal(token.sub, first.accountId);
        assert.deepEqual(token.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      }

      const [event] = await test.system.audit.list({ type: 'oidc.logout_all' });
      assert.equal(event?.actor, GP);
      assert.equal(event?.outcome, 'success');
      assert.equal(event?.ip, '192.0.2.10');
      assert.equal(event?.method, 'ecps');
      assert.deepEqual(event?.details, {
        sessions: 2,
        grants: 4,
        notified: ['rp-backchannel', 'rp-backchannel'],
        notificationFailures: ['rp-unreachable'],
      });

      assert.equal(await oidc.endSessionsOf(GP), 0, 'nothing left to end');
      assert.equal(rp.logoutTokens.length, logoutsBefore + 2);
    });

    it('also revokes the grants no live session names: a CIBA login, offline access after its session', async () => {
      // A CIBA login opens no session: a grant and its tokens only.
      const ciba = await loggedIn(GP, ['rp-plain']);
      await provider.Session.adapter.destroy(ciba.sessionId);
      // Offline access outlives its session, which has expired since.
      const offline = await loggedIn(GP, ['rp-backchannel']);
      await db
        .updateTable('oidc_payload')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('model', '=', 'Session')
        .where('id', '=', offline.sessionId)
        .execute();
      const other = await loggedIn(PHARMACIST, ['rp-plain']);
      await provider.Session.adapter.destroy(other.sessionId);

      assert.equal(await oidc.endSessionsOf(GP), 0, 'no live session to end');
      for (const tokens of [ciba.tokens['rp-plain']!, offline.tokens['rp-backchannel']!]) {
        assert.deepEqual(await alive(tokens), { access: false, refresh: false, grant: false });
      }
      assert.deepEqual(await alive(other.tokens['rp-plain']!), { access: true, refresh: true, grant: true });
      const [event] = await test.system.audit.list({ type: 'oidc.logout_all' });
      assert.equal(event?.details?.sessions, 0);
      assert.equal(event?.details?.grants, 2, 'the newest oidc.logout_all names both grants');
    });

    it('leaves expired sessions to the purge', async () => {
      const { sessionId } = await loggedIn(GP, ['rp-backchannel']);
      await db
        .updateTable('oidc_payload')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('model', '=', 'Session')
        .where('id', '=', sessionId)
        .execute();
      const logoutsBefore = rp.logoutTokens.length;
      assert.equal(await oidc.endSessionsOf(GP), 0);
      assert.equal(rp.logoutTokens.length, logoutsBefore);
    });
  });

  describe(`OpenID provider: the account column migration (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    before(async () => {
      opened = await storeCase.open({
        migrations: (store) =>
          allMigrations(store).map((set) =>
            Object.fromEntries(Object.entries(set).filter(([name]) => name < ACCOUNT_ID_MIGRATION)),
          ),
      });
    });
    after(() => opened?.dispose());

    it('fills the account of the live rows written before it', async () => {
      const db = opened.store.db;
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const past = new Date(Date.now() - 1000).toISOString();
      const row = (model: string, id: string, payload: object, expiresAt: string | null) => ({
        model,
        id,
        payload: JSON.stringify(payload),
        grant_id: null,
        user_code: null,
        uid: null,
        expires_at: expiresAt,
        consumed_at: null,
      });
      await (db as any)
        .insertInto('oidc_payload')
        .values([
          row('Session', 's-live', { jti: 's-live', accountId: 'f:d:899760000010' }, future),
          row('Grant', 'g-forever', { jti: 'g-forever', accountId: 'f:d:899760000010' }, null),
          row('Session', 's-expired', { jti: 's-expired', accountId: 'f:d:899760000010' }, past),
          row('Interaction', 'i-1', { jti: 'i-1', note: 'accountId absent' }, future),
          row('Session', 's-odd', { jti: 's-odd', accountId: 42 }, future),
        ])
        .execute();
      const { applied } = await migrate(opened.store, ...allMigrations(opened.store));
      assert.ok(applied.includes(ACCOUNT_ID_MIGRATION), String(applied));
      const rows = await (db as unknown as OidcDb)
        .selectFrom('oidc_payload')
        .select(['id', 'account_id'])
        .orderBy('id')
        .execute();
      assert.deepEqual(plain(rows), [
        { id: 'g-forever', account_id: 'f:d:899760000010' },
        { id: 'i-1', account_id: null },
        { id: 's-expired', account_id: null },
        { id: 's-live', account_id: 'f:d:899760000010' },
        { id: 's-odd', account_id: null },
      ]);
    });
  });
}
