import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { authenticateDevice, bodyHash, type EcpsDb } from '../../src/ecps/index.ts';
import { isCaduceeError } from '../../src/platform/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const URL_SIGNED = 'https://idp.test/ecps/api/demandes';
const BODY = '{}';
const NOW = new Date('2026-11-26T10:00:00Z');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The only answer an app call with a bad signature may get. */
function assertUnauthorized(error: unknown) {
  assert.ok(isCaduceeError(error), `not a catalogued error: ${(error as Error)?.stack ?? error}`);
  assert.equal(error.code, 'ECPS_DEVICE_UNAUTHORIZED');
  assert.equal(error.status, 401);
}

/** JSON values of every shape, for headers and claims an attacker controls. */
const json = fc.jsonValue({ maxDepth: 2 });

/**
 * The device signature of the app's calls (src/ecps/device-auth.ts) against arbitrary
 * Authorization headers, forged headers and claims, and mutations of a valid signature: the
 * answer is ECPS_DEVICE_UNAUTHORIZED, never another exception, and a mutated signature is never
 * accepted unless it decodes to the very same bytes.
 */
for (const storeCase of storeCases()) {
  describe(`e-CPS device signature (property-based, ${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let db: EcpsDb;
    let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
    const deviceId = randomUUID();
    const runs = storeCase.kind === 'sqlite' ? 200 : 60;

    const sign = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
      new SignJWT({ htm: 'POST', htu: URL_SIGNED, bh: bodyHash(BODY), jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: deviceId, ...header })
        .setIssuedAt(Math.floor(NOW.getTime() / 1000))
        .sign(privateKey);
    const call = (authorization: string | undefined) =>
      authenticateDevice(db, { authorization, method: 'POST', url: URL_SIGNED, body: BODY }, NOW);

    before(async () => {
      opened = await storeCase.open();
      db = opened.store.db as EcpsDb;
      const pair = await generateKeyPair('ES256', { extractable: true });
      privateKey = pair.privateKey;
      await db
        .insertInto('ecps_device')
        .values({
          id: deviceId,
          idnat: '899760000010',
          public_jwk: JSON.stringify(await exportJWK(pair.publicKey)),
          status: 'active',
          pin_mac: null,
          pin_failures: 0,
          activation_mode: 'card',
          name: 'Téléphone',
          model: '',
          os: '',
          app_version: '',
          created_at: NOW.toISOString(),
          activated_at: NOW.toISOString(),
          expires_at: null,
          last_used_at: null,
          revoked_at: null,
          reminder_sent_at: null,
          push_subscription: null,
        })
        .execute();
    });
    after(() => opened?.dispose());

    it('accepts a genuine signature once', async () => {
      const token = await sign();
      assert.equal((await call(`ECPS ${token}`)).id, deviceId);
      await assert.rejects(call(`ECPS ${token}`), assertUnauthorizedAnswer);
    });

    it('answers any Authorization header with ECPS_DEVICE_UNAUTHORIZED', async () => {
      const header = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `ECPS ${s}`),
        fc
          .tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 60 }), fc.base64String())
          .map((parts) => `ECPS ${parts.join('.')}`),
        fc.constant(undefined),
      );
      await fc.assert(
        fc.asyncProperty(header, async (authorization) => {
          await assert.rejects(call(authorization), assertUnauthorizedAnswer);
        }),
        { numRuns: runs },
      );
    });

    it('answers forged headers and claims (any kid, alg, type) with ECPS_DEVICE_UNAUTHORIZED', async () => {
      const genuine = await sign();
      const [, , signature] = genuine.split('.');
      const forged = fc.record({
        header: fc.oneof(
          json,
          fc.record({ alg: fc.oneof(fc.constantFrom('ES256', 'none', 'HS256', 'RS256'), json), kid: json }),
          fc.record(
            { alg: fc.constant('ES256'), kid: fc.oneof(fc.constant(deviceId), json) },
            { requiredKeys: [] },
          ),
        ),
        payload: fc.oneof(
          json,
          fc.record(
            { htm: json, htu: json, bh: json, jti: json, iat: json, exp: json },
            { requiredKeys: [] },
          ),
        ),
        signature: fc.oneof(fc.constant(signature!), fc.base64String({ maxLength: 100 }), fc.constant('')),
      });
      await fc.assert(
        fc.asyncProperty(forged, async ({ header, payload, signature }) => {
          await assert.rejects(
            call(`ECPS ${b64(header)}.${b64(payload)}.${signature}`),
            assertUnauthorizedAnswer,
          );
        }),
        { numRuns: runs },
      );
    });

    it('never accepts a mutated signature that decodes differently, and never crashes', async () => {
      const mutation = fc.oneof(
        fc.record({
          kind: fc.constant('replace' as const),
          at: fc.nat(),
          char: fc.constantFrom(...'AZaz09-_.=+/ '),
        }),
        fc.record({
          kind: fc.constant('delete' as const),
          at: fc.nat(),
          length: fc.integer({ min: 1, max: 20 }),
        }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
        fc.record({
          kind: fc.constant('swap' as const),
          first: fc.nat({ max: 2 }),
          second: fc.nat({ max: 2 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
          const token = await sign();
          let mutated = token;
          for (const m of mutations) {
            if (m.kind === 'swap') {
              const parts = mutated.split('.');
              if (parts.length === 3) {
                [parts[m.first], parts[m.second]] = [parts[m.second]!, parts[m.first]!];
                mutated = parts.join('.');
              }
              continue;
            }
            const at = m.at % (mutated.length + 1);
            if (m.kind === 'replace') mutated = `${mutated.slice(0, at)}${m.char}${mutated.slice(at + 1)}`;
            else if (m.kind === 'delete') mutated = `${mutated.slice(0, at)}${mutated.slice(at + m.length)}`;
            else mutated = `${mutated.slice(0, at)}${m.text}${mutated.slice(at)}`;
          }
          try {
            await call(`ECPS ${mutated}`);
          } catch (error) {
            assertUnauthorized(error);
            return;
          }
          // Accepted: only when the change was lost in base64url decoding (spare bits).
          const bytes = (t: string) =>
            t.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex'));
          assert.deepEqual(bytes(mutated), bytes(token), `accepted a changed signature: ${mutated}`);
        }),
        { numRuns: runs },
      );
    });
  });
}

function assertUnauthorizedAnswer(error: unknown): true {
  assertUnauthorized(error);
  return true;
}
