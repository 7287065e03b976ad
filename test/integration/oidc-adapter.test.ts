import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Adapter, AdapterConstructor } from 'oidc-provider';
import { kyselyAdapterFactory, purgeExpired } from '../../src/oidc/adapter/kysely-adapter.ts';
import { addClient, getClient, listClients, removeClient } from '../../src/oidc/store/clients.ts';
import type { OidcDb } from '../../src/oidc/store/tables.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

for (const storeCase of storeCases()) {
  describe(`oidc-provider adapter (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let db: OidcDb;
    let now = new Date('2026-11-25T10:00:00Z');
    let Adapter: AdapterConstructor;
    const adapter = (model: string): Adapter => new Adapter(model);
    before(async () => {
      opened = await storeCase.open();
      db = opened.store.db as unknown as OidcDb;
      Adapter = kyselyAdapterFactory(db, () => now);
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
        client_secret: 's3cret',
        redirect_uris: ['https://rp.test/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
      };
      await addClient(db, metadata);
      await assert.rejects(addClient(db, metadata), /déjà enregistré/);
      assert.deepEqual(await adapter('Client').find('rp-1'), metadata);
      assert.deepEqual(await getClient(db, 'rp-1'), metadata);
      assert.deepEqual(await listClients(db), [metadata]);
      await adapter('Client').upsert('rp-2', { client_id: 'rp-2' });
      await adapter('Client').destroy('rp-1');
      assert.equal(await adapter('Client').find('rp-2'), undefined);
      assert.ok(await adapter('Client').find('rp-1'));
      assert.equal(await removeClient(db, 'rp-1'), true);
      assert.equal(await removeClient(db, 'rp-1'), false);
      assert.equal(await adapter('Client').find('rp-1'), undefined);
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
