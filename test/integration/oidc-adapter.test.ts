import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Adapter, AdapterConstructor } from 'oidc-provider';
import { kyselyAdapterFactory, purgeExpired } from '../../src/oidc/adapter/kysely-adapter.ts';
import type { ClientSecretKey } from '../../src/oidc/keys/client-secret-key.ts';
import {
  rememberingSecretOpener,
  sealClearClientSecrets,
  secretOpener,
} from '../../src/oidc/store/client-secrets.ts';
import {
  addClient,
  getClient,
  listClients,
  removeClient,
  rotateClientSecret,
} from '../../src/oidc/store/clients.ts';
import type { OidcDb } from '../../src/oidc/store/tables.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

for (const storeCase of storeCases()) {
  describe(`oidc-provider adapter (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let db: OidcDb;
    let now = new Date('2026-11-25T10:00:00Z');
    let Adapter: AdapterConstructor;
    const adapter = (model: string): Adapter => new Adapter(model);
    const key: ClientSecretKey = {
      key: randomBytes(32),
      file: '/srv/caducee/secrets/oidc-client-secrets.key',
    };
    /** What the database holds for a client, every column as text. */
    const rowOf = async (clientId: string) =>
      JSON.stringify(
        await db.selectFrom('oidc_client').selectAll().where('client_id', '=', clientId).executeTakeFirst(),
      );
    before(async () => {
      opened = await storeCase.open();
      db = opened.store.db as unknown as OidcDb;
      Adapter = kyselyAdapterFactory(db, rememberingSecretOpener(key, 100), () => now);
    });
    after(() => opened.dispose());

    it('gives back the JSON payload it was given', async () => {
      const payload = {
        jti: 'session-1',
        kind: 'Session',
        accountId: 'f:uuid:899760000010',
        authorizations: { 'client-a': { grantId: 'g-0', persistsLogout: true } },
        amr: ['sc', 'pin'],
        loginTs: 1_790_000_000,
        exp: 1_790_003_600,
      };
      await adapter('Session').upsert('session-1', payload, 3600);
      assert.deepEqual(await adapter('Session').find('session-1'), payload);
      assert.equal(await adapter('Session').find('unknown'), undefined);
    });

    it('forgets a record once it expires, and purgeExpired removes it', async () => {
      const codes = adapter('AuthorizationCode');
      await codes.upsert('code-exp', { jti: 'code-exp', grantId: 'g-exp' }, 60);
      await codes.upsert('code-kept', { jti: 'code-kept', grantId: 'g-exp' }, 600);
      await adapter('Grant').upsert('grant-forever', { jti: 'grant-forever' });
      now = new Date(now.getTime() + 59_000);
      assert.ok(await codes.find('code-exp'));
      now = new Date(now.getTime() + 2_000);
      assert.equal(await codes.find('code-exp'), undefined);
      assert.ok(await codes.find('code-kept'));
      const stored = () =>
        db
          .selectFrom('oidc_payload')
          .select('id')
          .where('id', 'in', ['code-exp', 'code-kept', 'grant-forever'])
          .execute();
      assert.equal((await stored()).length, 3);
      assert.equal(await purgeExpired(db, now), 1);
      assert.deepEqual((await stored()).map((r) => r.id).sort(), ['code-kept', 'grant-forever']);
      assert.ok(await adapter('Grant').find('grant-forever'));

      it('purges by batches: every expired row goes, rows sharing an expiry included, live rows stay', async () => {
        const codes = adapter('AuthorizationCode');
        const start = now;
        // 23 rows expiring one second apart, then 12 expiring at the same instant, then 3 live ones.
        for (let i = 0; i < 23; i++) await codes.upsert(`batch-${i}`, { jti: `batch-${i}` }, 10 + i);
        for (let i = 0; i < 12; i++) await codes.upsert(`same-${i}`, { jti: `same-${i}` }, 60);
        for (let i = 0; i < 3; i++) await codes.upsert(`live-${i}`, { jti: `live-${i}` }, 3600);
        now = new Date(start.getTime() + 61_000);
        assert.equal(await purgeExpired(db, now, 5), 35);
        const left = await db
          .selectFrom('oidc_payload')
          .select('id')
          .where((eb) =>
            eb.or([eb('id', 'like', 'batch-%'), eb('id', 'like', 'same-%'), eb('id', 'like', 'live-%')]),
          )
          .execute();
        assert.deepEqual(left.map((r) => r.id).sort(), ['live-0', 'live-1', 'live-2']);
        assert.equal(await purgeExpired(db, now, 5), 0);
      });
    });

    it('marks a consumed record as consumed', async () => {
      const codes = adapter('AuthorizationCode');
      await codes.upsert('code-c', { jti: 'code-c', grantId: 'g-c' }, 60);
      assert.equal((await codes.find('code-c'))?.consumed, undefined);
      await codes.consume('code-c');
      const found = await codes.find('code-c');
      assert.equal(found?.consumed, Math.floor(now.getTime() / 1000));
      assert.equal(found?.jti, 'code-c');
    });

    it('finds a session by uid and a device code by user code, unless expired', async () => {
      await adapter('Session').upsert('session-u', { jti: 'session-u', uid: 'uid-1' }, 60);
      await adapter('DeviceCode').upsert(
        'device-1',
        { jti: 'device-1', userCode: 'ABCD-EFGH', grantId: 'g-d' },
        60,
      );
      assert.equal((await adapter('Session').findByUid('uid-1'))?.jti, 'session-u');
      assert.equal((await adapter('DeviceCode').findByUserCode('ABCD-EFGH'))?.jti, 'device-1');
      assert.equal(await adapter('Session').findByUid('uid-2'), undefined);
      assert.equal(await adapter('DeviceCode').findByUserCode('ZZZZ-ZZZZ'), undefined);
      now = new Date(now.getTime() + 61_000);
      assert.equal(await adapter('Session').findByUid('uid-1'), undefined);
      assert.equal(await adapter('DeviceCode').findByUserCode('ABCD-EFGH'), undefined);
    });

    it('revokes every code and token of a grant, and only of that grant', async () => {
      for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode']) {
        await adapter(model).upsert(`${model}-1`, { jti: `${model}-1`, grantId: 'g-1' }, 600);
        await adapter(model).upsert(`${model}-2`, { jti: `${model}-2`, grantId: 'g-2' }, 600);
      }
      await adapter('AccessToken').revokeByGrantId('g-1');
      for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode']) {
        assert.equal(await adapter(model).find(`${model}-1`), undefined, model);
        assert.equal((await adapter(model).find(`${model}-2`))?.grantId, 'g-2', model);
      }
    });

    it('overwrites on upsert, clearing the index columns and consumption of the old record', async () => {
      const sessions = adapter('Session');
      await sessions.upsert('session-o', { jti: 'session-o', uid: 'uid-old', accountId: 'a' }, 60);
      await sessions.consume('session-o');
      await sessions.upsert('session-o', { jti: 'session-o', uid: 'uid-new', accountId: 'b' }, 120);
      assert.deepEqual(await sessions.find('session-o'), {
        jti: 'session-o',
        uid: 'uid-new',
        accountId: 'b',
      });
      assert.equal(await sessions.findByUid('uid-old'), undefined);
      assert.equal((await sessions.findByUid('uid-new'))?.accountId, 'b');
      const row = await db
        .selectFrom('oidc_payload')
        .select('account_id')
        .where('model', '=', 'Session')
        .where('id', '=', 'session-o')
        .executeTakeFirst();
      assert.equal(row?.account_id, 'b', 'the account column follows the payload');
      await sessions.destroy('session-o');
      assert.equal(await sessions.find('session-o'), undefined);
    });

    it('reads clients from the registered clients, and ignores the provider writing them', async () => {
      const metadata = {
        client_id: 'rp-1',
        client_secret: 's3cret-of-rp-1-in-the-test',
        redirect_uris: ['https://rp.test/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
      };
      await addClient(db, key, metadata);
      await assert.rejects(addClient(db, key, metadata), /déjà enregistré/);
      // The database holds the secret sealed only; the provider reads it in clear.
      assert.doesNotMatch(await rowOf('rp-1'), /s3cret-of-rp-1/);
      assert.deepEqual(await adapter('Client').find('rp-1'), metadata);
      assert.deepEqual(await getClient(db, key, 'rp-1'), metadata);
      const { client_secret: _secret, ...listed } = metadata;
      assert.deepEqual(await listClients(db), [listed]);
      await adapter('Client').upsert('rp-2', { client_id: 'rp-2' });
      await adapter('Client').destroy('rp-1');
      assert.equal(await adapter('Client').find('rp-2'), undefined);
      assert.ok(await adapter('Client').find('rp-1'));
      assert.equal(await removeClient(db, 'rp-1'), true);
      assert.equal(await removeClient(db, 'rp-1'), false);
      assert.equal(await adapter('Client').find('rp-1'), undefined);
    });

    it('opens a sealed client secret only with its key, and only on its own client', async () => {
      await addClient(db, key, { client_id: 'rp-sealed', client_secret: 'secret-of-rp-sealed' });
      await addClient(db, key, { client_id: 'rp-other', client_secret: 'secret-of-rp-other' });
      const otherKey = { key: randomBytes(32), file: '/elsewhere/oidc-client-secrets.key' };
      const OtherNode = kyselyAdapterFactory(db, secretOpener(otherKey));
      await assert.rejects(new OtherNode('Client').find('rp-sealed'), (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'OIDC_CLIENT_SECRET_UNREADABLE');
        assert.match(String(error), /rp-sealed.*\/elsewhere\/oidc-client-secrets\.key/);
        return true;
      });
      // Opened once on this node (and remembered), the secret still opens on its own client only.
      assert.equal((await adapter('Client').find('rp-sealed'))?.client_secret, 'secret-of-rp-sealed');
      // Someone who can write to the database moves a sealed secret onto another client.
      const sealed = await db
        .selectFrom('oidc_client')
        .select('secret_sealed')
        .where('client_id', '=', 'rp-sealed')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('oidc_client')
        .set({ secret_sealed: sealed.secret_sealed })
        .where('client_id', '=', 'rp-other')
        .execute();
      await assert.rejects(
        adapter('Client').find('rp-other'),
        /OIDC_CLIENT_SECRET_UNREADABLE|ne peut pas être déchiffré/,
      );
      assert.equal((await adapter('Client').find('rp-sealed'))?.client_secret, 'secret-of-rp-sealed');
      await removeClient(db, 'rp-sealed');
      await removeClient(db, 'rp-other');
    });

    it('keeps a client stored with its secret in clear working, and seals it', async () => {
      const metadata = { client_id: 'rp-clear', client_secret: 'secret-stored-in-clear', redirect_uris: [] };
      // As a version before sealing stored it (and as the benchmarks still write clients).
      await db
        .insertInto('oidc_client')
        .values({ client_id: 'rp-clear', metadata: JSON.stringify(metadata), created_at: now.toISOString() })
        .execute();
      assert.deepEqual(await adapter('Client').find('rp-clear'), metadata);
      assert.ok(!(await listClients(db)).some((client) => 'client_secret' in client), 'never listed');
      assert.equal(await sealClearClientSecrets(db, key), 1);
      assert.doesNotMatch(await rowOf('rp-clear'), /secret-stored-in-clear/);
      assert.deepEqual(await adapter('Client').find('rp-clear'), metadata);
      assert.equal(await sealClearClientSecrets(db, key), 0, 'nothing left to seal');
      await removeClient(db, 'rp-clear');
    });

    it('rotates a client secret: the new one is sealed, the old one is gone', async () => {
      await addClient(db, key, { client_id: 'rp-rotate', client_secret: 'first-secret-of-rp-rotate' });
      const secret = await rotateClientSecret(db, key, 'rp-rotate');
      assert.match(secret ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await adapter('Client').find('rp-rotate'))?.client_secret, secret);
      const row = await rowOf('rp-rotate');
      assert.ok(!row.includes(secret!) && !row.includes('first-secret-of-rp-rotate'));
      assert.equal(await rotateClientSecret(db, key, 'nobody'), undefined);
      await addClient(db, key, { client_id: 'rp-keys', token_endpoint_auth_method: 'private_key_jwt' });
      await assert.rejects(rotateClientSecret(db, key, 'rp-keys'), /OIDC_CLIENT_INVALID|pas de secret/);
      await removeClient(db, 'rp-rotate');
      await removeClient(db, 'rp-keys');
    });

    it('keeps each model to its own records', async () => {
      await adapter('AccessToken').upsert(
        'shared-id',
        { jti: 'shared-id', kind: 'AccessToken', uid: 'u-s' },
        60,
      );
      assert.equal(await adapter('RefreshToken').find('shared-id'), undefined);
      assert.equal(await adapter('Session').findByUid('u-s'), undefined);
      await adapter('RefreshToken').upsert('shared-id', { jti: 'shared-id', kind: 'RefreshToken' }, 60);
      await adapter('RefreshToken').consume('shared-id');
      await adapter('Interaction').destroy('shared-id');
      assert.deepEqual(await adapter('AccessToken').find('shared-id'), {
        jti: 'shared-id',
        kind: 'AccessToken',
        uid: 'u-s',
      });
      await adapter('RefreshToken').destroy('shared-id');
      assert.ok(await adapter('AccessToken').find('shared-id'));
      assert.equal(await adapter('RefreshToken').find('shared-id'), undefined);
    });
  });
}
