import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDirectory, loadDemoDirectoryIfEmpty } from '../../src/directory/index.ts';
import { createEcps, type Ecps, type EcpsDb } from '../../src/ecps/index.ts';
import { messagingErrors, smtpMailSender } from '../../src/messaging/index.ts';
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
  describe(`e-CPS activation e-mail with SMTP down (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let ecps: Ecps;
    let smtpUp = false;
    const sent: string[] = [];
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
          sms: { send: async () => {} },
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
  });
}
