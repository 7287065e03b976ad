import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { loadDemoDirectoryIfEmpty } from '../../src/directory/index.ts';
import { createEcps, type Ecps, type EcpsDb } from '../../src/ecps/index.ts';
import { loadVapidKeys, webPushSender } from '../../src/messaging/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';
import { type TestSystem, testSystem } from '../support/system.ts';

const GP = '899760000010';

/** What a browser keeps for its subscription: an ECDH pair and the auth secret (RFC 8291). */
function browserSubscriptionKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, publicKey: ecdh.getPublicKey(), auth: randomBytes(16) };
}

/** Decrypts an aes128gcm Web Push body as the browser does (RFC 8188 + RFC 8291). */
function decryptPush(body: Buffer, keys: ReturnType<typeof browserSubscriptionKeys>): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const serverPublic = body.subarray(21, 21 + idLength);
  const cipherText = body.subarray(21 + idLength);
  const shared = keys.ecdh.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.publicKey, serverPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(cipherText.subarray(-16));
  const padded = Buffer.concat([decipher.update(cipherText.subarray(0, -16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 then zero padding.
  return padded.subarray(0, padded.lastIndexOf(2)).toString('utf8');
}

/**
 * Web Push to the e-CPS app, through the real `web-push` adapter, to a push service run by the
 * test over HTTPS: a login request wakes every subscribed device with an encrypted message the
 * browser's keys decrypt, signed for the push service by the deployment's VAPID key.
 */
for (const storeCase of storeCases()) {
  describe(`e-CPS Web Push (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let ecps: Ecps;
    let pushService: Server;
    let endpointBase: string;
    let answer = 201;
    const received: Array<{ url: string; headers: Record<string, unknown>; body: Buffer }> = [];
    const vapidFile = path.join(mkdtempSync(path.join(tmpdir(), 'caducee-vapid-')), 'vapid.json');

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened);
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const tls = await system.tls();
      pushService = createServer({ key: tls.keyPem, cert: tls.fullChainPem }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.1', resolve));
      endpointBase = `https://localhost:${(pushService.address() as AddressInfo).port}`;
      const messaging = system.messaging();
      ecps = createEcps({
        db: opened.store.db as EcpsDb,
        directory: system.directory,
        messaging: {
          mail: messaging.mail,
          sms: messaging.sms,
          push: webPushSender({
            keys: loadVapidKeys(vapidFile),
            subject: 'mailto:exploitation@caducee.test',
            agent: new Agent({ ca: tls.caPem }),
          }),
        },
        settings: system.settings,
        audit: system.audit,
        pinKey: randomBytes(32),
      });
    });
    after(async () => {
      await new Promise<void>((resolve) => pushService?.close(() => resolve()));
      test?.dispose();
      await opened?.dispose();
    });

    /** An active device of GP, made directly in the store: the activation is tested elsewhere. */
    async function activeDevice(id: string) {
      const now = new Date();
      const row = {
        id,
        idnat: GP,
        public_jwk: '{}',
        status: 'active' as const,
        pin_mac: null,
        pin_failures: 0,
        activation_mode: 'mail_sms' as const,
        name: id,
        model: '',
        os: '',
        app_version: '',
        created_at: now.toISOString(),
        activated_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
        last_used_at: null,
        revoked_at: null,
        reminder_sent_at: null,
        push_subscription: null,
      };
      await (opened.store.db as EcpsDb).insertInto('ecps_device').values(row).execute();
      return row;
    }

    const waitFor = async (count: number) => {
      for (let i = 0; i < 100 && received.length < count; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(received.length, count);
    };

    it('wakes the subscribed device with an encrypted, VAPID-signed message naming the service', async () => {
      const keys = browserSubscriptionKeys();
      const device = await activeDevice('push-phone-1');
      const publicKey = ecps.pushPublicKey();
      assert.ok(publicKey);
      assert.deepEqual(
        await ecps.subscribePush(device, {
          endpoint: `${endpointBase}/push/abonne-1`,
          keys: { p256dh: keys.publicKey.toString('base64url'), auth: keys.auth.toString('base64url') },
        }),
        { enabled: true },
      );
      const request = await ecps.createRequest({
        idnat: GP,
        clientName: 'Messagerie sécurisée',
        origin: 'test',
        withCode: true,
      });
      await waitFor(1);
      const [message] = received;
      assert.equal(message!.url, '/push/abonne-1');
      assert.equal(message!.headers['content-encoding'], 'aes128gcm');
      assert.equal(message!.headers.urgency, 'high');
      const authorization = String(message!.headers.authorization);
      const [, jwt, key] = /^vapid t=([^,]+), k=(\S+)$/.exec(authorization) ?? [];
      assert.equal(key, publicKey);
      assert.equal(decodeJwt(jwt!).aud, endpointBase);
      const payload = JSON.parse(decryptPush(message!.body, keys));
      // Exactly this: no code dynamique, which must be read on the login screen.
      assert.deepEqual(payload, {
        type: 'demande',
        id: request.id,
        service: 'Messagerie sécurisée',
        expiresAt: request.expiresAt,
      });
    });

    it('forgets a subscription the push service says is gone, without failing the login', async () => {
      received.length = 0;
      answer = 410;
      await ecps.createRequest({ idnat: GP, clientName: 'Service', origin: 'test', withCode: true });
      await waitFor(1);
      for (let i = 0; i < 50; i++) {
        const row = await (opened.store.db as EcpsDb)
          .selectFrom('ecps_device')
          .select('push_subscription')
          .where('id', '=', 'push-phone-1')
          .executeTakeFirstOrThrow();
        if (row.push_subscription === null) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail('the gone subscription was kept');
    });
  });
}
