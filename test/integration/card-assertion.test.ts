import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CardAssertions, type CardIdentity, type CardsDb } from '../../src/cards/index.ts';
import { isCaduceeError } from '../../src/platform/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const identity = {
  idnat: '899760000010',
  serial: 'abc123',
  notAfter: '',
  holder: {},
  person: {},
} as unknown as CardIdentity;

async function rejectsWith(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => isCaduceeError(error) && error.code === code);
}

for (const storeCase of storeCases()) {
  describe(`card assertion hand-off (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let now = new Date('2026-11-25T10:00:00Z');
    let assertions: CardAssertions;
    before(async () => {
      opened = await storeCase.open();
      assertions = new CardAssertions(opened.store.db as unknown as CardsDb, {
        issuer: 'https://cards.test',
        audience: 'https://idp.test',
        ttlSeconds: 60,
        clock: () => now,
      });
    });
    after(() => opened.dispose());

    it('is accepted once, for the request that asked for it', async () => {
      const { rid, nonce } = await assertions.begin('test');
      const token = await assertions.sign(identity, rid, nonce);
      const claims = await assertions.redeem(token, rid);
      assert.deepEqual(
        [claims.idnat, claims.serial, claims.amr, claims.purpose],
        ['899760000010', 'abc123', ['sc', 'pin'], 'test'],
      );
      await rejectsWith(assertions.redeem(token, rid), 'CARD_ASSERTION_REPLAYED');
    });

    it('is refused for another request, without the request cookie, or with another nonce', async () => {
      const first = await assertions.begin('test');
      const second = await assertions.begin('test');
      const token = await assertions.sign(identity, first.rid, first.nonce);
      await rejectsWith(assertions.redeem(token, second.rid), 'CARD_ASSERTION_INVALID');
      await rejectsWith(assertions.redeem(token, undefined), 'CARD_LOGIN_EXPIRED');
      const forged = await assertions.sign(identity, first.rid, 'another-nonce');
      await rejectsWith(assertions.redeem(forged, first.rid), 'CARD_ASSERTION_INVALID');
      // The genuine one still works: failed attempts did not consume it.
      assert.equal((await assertions.redeem(token, first.rid)).idnat, '899760000010');
    });

    it('is refused after 60 seconds and when tampered with', async () => {
      const { rid, nonce } = await assertions.begin('test');
      const token = await assertions.sign(identity, rid, nonce);
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '899760000028' })).toString('base64url')}.${signature}`;
      await rejectsWith(assertions.redeem(tampered, rid), 'CARD_ASSERTION_INVALID');
      now = new Date(now.getTime() + 61_000);
      await assert.rejects(
        assertions.redeem(token, rid),
        (error: unknown) => isCaduceeError(error) && /délai dépassé/.test(error.message),
      );
    });
  });
}
