import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDirectory, loadDemoDirectoryIfEmpty } from '../../src/directory/index.ts';
import { createEcps, type Ecps, type EcpsDb } from '../../src/ecps/index.ts';
import { httpSmsSender, messagingErrors, smtpMailSender } from '../../src/messaging/index.ts';
import { createAuditLog, loadSettings } from '../../src/platform/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';
import { freePort } from '../support/system.ts';

const GP = '899760000010';

/**
 * SMTP unavailable during an activation without a card: the professional is told the e-mail
 * could not be sent (MESSAGING_MAIL_NOT_SENT), the activation it would have opened is closed
 * (its link can never be used), no success is audited, and a request made once SMTP is back
 * opens a working activation.
 */
for (const storeCase of storeCases()) {
  describe(`e-CPS activation with SMTP or the SMS gateway down (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let ecps: Ecps;
    let smtpUp = false;
    let smsUp = false;
    const sent: string[] = [];
    const texted: string[] = [];
    const db = () => opened.store.db as EcpsDb;

    before(async () => {
      opened = await storeCase.open();
      const { settings } = loadSettings({ env: {}, overrides: { logLevel: 'silent' } });
      const directory = createDirectory(opened.store, settings);
      await loadDemoDirectoryIfEmpty(directory);
      // Nothing listens on that port: the connection is refused, as with a stopped server.
      const down = smtpMailSender({
        url: `smtp://127.0.0.1:${await freePort()}`,
        from: 'e-cps@caducee.test',
      });
      const gatewayDown = httpSmsSender({
        url: `http://127.0.0.1:${await freePort()}/sms`,
        token: '',
        from: 'e-CPS',
      });
      ecps = createEcps({
        db: db(),
        directory,
        messaging: {
          mail: {
            send: async (mail) => {
              if (!smtpUp) return down.send(mail);
              sent.push(mail.text);
            },
          },
          sms: {
            send: async (sms) => {
              if (!smsUp) return gatewayDown.send(sms);
              texted.push(sms.text);
            },
          },
        },
        settings,
        audit: createAuditLog(opened.store.db),
        pinKey: randomBytes(32),
      });
    });
    after(() => opened?.dispose());

    it('says the e-mail was not sent and leaves no activation open', async () => {
      await assert.rejects(ecps.sendActivationEmail(GP, '198.51.100.7'), (error: unknown) => {
        assert.ok(messagingErrors.MailNotSent.is(error), String(error));
        assert.equal(error.status, 503);
        return true;
      });
      const activations = await db()
        .selectFrom('ecps_activation')
        .selectAll()
        .where('idnat', '=', GP)
        .execute();
      assert.deepEqual(
        activations.map((a) => a.status),
        ['failed'],
      );
      const audited = await createAuditLog(opened.store.db).list({ type: 'ecps.activation.request' });
      assert.deepEqual(audited, []);

      smtpUp = true;
      const retried = await ecps.sendActivationEmail(GP, '198.51.100.7');
      assert.match(retried.email, /\*/);
      const token = /#activer=([\w-]+)/.exec(sent[0] ?? '')?.[1];
      assert.ok(token, 'the e-mail carries the activation link');
      const open = await db()
        .selectFrom('ecps_activation')
        .select('status')
        .where('idnat', '=', GP)
        .where('status', '=', 'open')
        .execute();
      assert.equal(open.length, 1, 'only the activation whose e-mail left is open');
    });

    it('SMS gateway down: says the code was not sent and the e-mailed link still works once it is back', async () => {
      const token = /#activer=([\w-]+)/.exec(sent[0] ?? '')?.[1];
      assert.ok(token, 'the activation e-mailed by the previous test');
      const { publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'sign',
        'verify',
      ]);
      const publicJwk = await crypto.subtle.exportKey('jwk', publicKey);
      const device = { name: 'iPhone de test', model: 'iPhone', os: 'iOS 18', appVersion: '1.0.0' };
      await assert.rejects(ecps.startActivation(token, publicJwk, device), (error: unknown) => {
        assert.ok(messagingErrors.SmsNotSent.is(error), String(error));
        return true;
      });
      const [activation] = await db()
        .selectFrom('ecps_activation')
        .selectAll()
        .where('idnat', '=', GP)
        .where('status', '=', 'open')
        .execute();
      assert.equal(activation?.token_used_at, null, 'the link is not spent');
      assert.equal(activation?.code_hash, null, 'no code is waiting that nobody received');
      const pending = await db().selectFrom('ecps_device').select('status').where('idnat', '=', GP).execute();
      assert.deepEqual(
        pending.map((d) => d.status),
        ['revoked'],
        'the device the failed attempt registered cannot be used',
      );

      smsUp = true;
      const started = await ecps.startActivation(token, publicJwk, device);
      assert.match(started.mobile ?? '', /\*/);
      assert.match(texted[0] ?? '', /code d'activation e-CPS : \d+/);
      await assert.rejects(ecps.startActivation(token, publicJwk, device), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
    });
  });
}
