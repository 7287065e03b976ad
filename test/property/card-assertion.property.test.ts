import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CardAssertions, type CardIdentity, type CardsDb } from '../../src/cards/index.ts';
import { isCaduceeError } from '../../src/platform/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const identity = { idnat: '899760000010', serial: 'abc123' } as unknown as CardIdentity;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const json = fc.jsonValue({ maxDepth: 2 });

/** What a refused hand-off may answer: the card host's catalogued refusals, nothing else. */
function assertRefused(error: unknown): true {
  assert.ok(isCaduceeError(error), `not a catalogued error: ${(error as Error)?.stack ?? error}`);
  assert.match(error.code, /^(CARD_ASSERTION_INVALID|CARD_ASSERTION_REPLAYED|CARD_LOGIN_EXPIRED)$/);
  return true;
}

/**
 * The card host's assertion as the main origin redeems it (src/cards/assertion.ts): arbitrary
 * tokens, forged headers and claims, mutations of a genuine assertion, with or without the
 * browser's request id, only ever get CARD_ASSERTION_* or CARD_LOGIN_EXPIRED; a mutation is
 * accepted only when it decodes to the same bytes.
 */
for (const storeCase of storeCases()) {
  describe(`card assertion (property-based, ${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let assertions: CardAssertions;
    const runs = storeCase.kind === 'sqlite' ? 200 : 60;
    before(async () => {
      opened = await storeCase.open();
      assertions = new CardAssertions(opened.store.db as unknown as CardsDb, {
        issuer: 'https://cards.test',
        audience: 'https://idp.test',
        ttlSeconds: 60,
      });
    });
    after(() => opened?.dispose());

    it('refuses arbitrary tokens and forged headers or claims', async () => {
      const { rid, nonce } = await assertions.begin('test');
      const genuine = await assertions.sign(identity, rid, nonce);
      const [header, , signature] = genuine.split('.');
      const token = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc
          .tuple(fc.base64String({ maxLength: 80 }), fc.base64String({ maxLength: 80 }), fc.base64String())
          .map((parts) => parts.join('.')),
        fc
          .record({
            header: fc.oneof(
              json,
              fc.constant(JSON.parse(Buffer.from(header!, 'base64url').toString())),
              fc.record({ alg: fc.constantFrom('ES256', 'none', 'HS256'), kid: json, typ: json }),
            ),
            payload: fc.oneof(
              json,
              fc.record(
                {
                  rid: fc.constant(rid),
                  nonce: fc.constant(nonce),
                  sub: json,
                  jti: json,
                  exp: json,
                  iss: json,
                  aud: json,
                },
                { requiredKeys: [] },
              ),
            ),
            signature: fc.oneof(fc.constant(signature!), fc.base64String({ maxLength: 100 })),
          })
          .map((parts) => `${b64(parts.header)}.${b64(parts.payload)}.${parts.signature}`),
      );
      await fc.assert(
        fc.asyncProperty(
          token,
          fc.option(fc.oneof(fc.constant(rid), fc.string()), { nil: undefined }),
          async (t, r) => {
            await assert.rejects(assertions.redeem(t, r), assertRefused);
          },
        ),
        { numRuns: runs },
      );
      // The genuine one still works: refused attempts consumed nothing.
      assert.equal((await assertions.redeem(genuine, rid)).idnat, identity.idnat);
    });

    it('never accepts a mutated assertion that decodes differently', async () => {
      const mutation = fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('replace', 'delete', 'insert'),
        char: fc.constantFrom(...'AZaz09-_.=+/ '),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
          const { rid, nonce } = await assertions.begin('test');
          const token = await assertions.sign(identity, rid, nonce);
          let mutated = token;
          for (const m of mutations) {
            const at = m.at % (mutated.length + 1);
            if (m.kind === 'replace') mutated = `${mutated.slice(0, at)}${m.char}${mutated.slice(at + 1)}`;
            else if (m.kind === 'delete') mutated = `${mutated.slice(0, at)}${mutated.slice(at + 1)}`;
            else mutated = `${mutated.slice(0, at)}${m.char}${mutated.slice(at)}`;
          }
          try {
            await assertions.redeem(mutated, rid);
          } catch (error) {
            assertRefused(error);
            return;
          }
          const bytes = (t: string) =>
            t.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex'));
          assert.deepEqual(bytes(mutated), bytes(token), `accepted a changed assertion: ${mutated}`);
        }),
        { numRuns: runs },
      );
    });
  });
}
