import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createMessaging,
  type Messaging,
  messagingErrors,
  type OutboxMessage,
  type SmtpCatcher,
  smtpMailSender,
  startOutbox,
  startSmtpCatcher,
} from '../../src/messaging/index.ts';
import {
  createLogger,
  type DeepPartial,
  loadSettings,
  type RunningServer,
  redactedSettings,
  type Settings,
} from '../../src/platform/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';
import { freePort } from '../support/system.ts';

// A real 1×1 PNG, as the e-CPS activation e-mail carries its QR code.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const log = createLogger('silent');

function settingsWith(overrides: DeepPartial<Settings>): Settings {
  return loadSettings({ env: {}, overrides: { logLevel: 'silent', ...overrides } }).settings;
}

/** A stand-in SMS gateway that records what it receives and answers the status it is told. */
async function startGateway(): Promise<{
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; body: unknown }>;
  status: number;
  close(): Promise<void>;
}> {
  const gateway = {
    url: '',
    received: [] as Array<{ headers: IncomingHttpHeaders; body: unknown }>,
    status: 202,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    gateway.received.push({
      headers: request.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    response.writeHead(gateway.status, { 'content-type': 'application/json' }).end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  return gateway;
}

for (const storeCase of storeCases()) {
  describe(`messaging: SMTP through the catcher, SMS, dev outbox (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let messaging: Messaging;
    let catcher: SmtpCatcher;
    let outboxServer: RunningServer;
    const messages = async (): Promise<OutboxMessage[]> =>
      (await (await fetch(`${outboxServer.url}/api/messages`)).json()) as OutboxMessage[];

    before(async () => {
      opened = await storeCase.open();
      const settings = settingsWith({ messaging: { catcherPort: await freePort() } });
      messaging = createMessaging({ settings, store: opened.store });
      catcher = await startSmtpCatcher(messaging.outbox, { port: settings.messaging.catcherPort, log });
      outboxServer = await startOutbox({ outbox: messaging.outbox, log, port: 0 });
    });

    after(async () => {
      await outboxServer?.close();
      await catcher?.close();
      await opened?.dispose();
    });

    it('chooses SMTP to the embedded catcher and the outbox for SMS when nothing is configured', () => {
      assert.equal(messaging.embedded, true);
      assert.equal(messaging.usesOutbox, true);
    });

    it('delivers a mail over real SMTP to the catcher, HTML and inline PNG included', async () => {
      await messaging.mail.send({
        to: 'claire.martin@demo.caducee.test',
        subject: 'Activation de votre e-CPS — étape 1',
        text: 'Bonjour,\n\nOuvrez ce lien : https://localhost:8443/ecps/app/#activer=abc\n\nÀ bientôt.',
        html: '<p>Bonjour,</p><p><img src="cid:qr-activation" alt="QR code"></p>',
        attachments: [
          { filename: 'activation.png', content: PNG, cid: 'qr-activation', contentType: 'image/png' },
        ],
      });
      const [mail] = await messaging.outbox.list();
      assert.equal(mail?.kind, 'mail');
      assert.equal(mail?.to, 'claire.martin@demo.caducee.test');
      assert.equal(mail?.subject, 'Activation de votre e-CPS — étape 1');
      assert.equal(
        mail?.text.trim(),
        'Bonjour,\n\nOuvrez ce lien : https://localhost:8443/ecps/app/#activer=abc\n\nÀ bientôt.',
      );
      assert.equal(mail?.html, '<p>Bonjour,</p><p><img src="cid:qr-activation" alt="QR code"></p>');
      const [attachment, ...others] = await messaging.outbox.attachments(mail!.id);
      assert.deepEqual(others, []);
      assert.equal(attachment?.filename, 'activation.png');
      assert.equal(attachment?.contentType, 'image/png');
      assert.equal(attachment?.cid, 'qr-activation');
      assert.ok(attachment?.content.equals(PNG), 'attachment bytes survive SMTP and the store');
    });

    it('writes SMS to the outbox, newest first after the mail', async () => {
      await messaging.sms.send({ to: '0639980001', text: "Votre code d'activation e-CPS : 123456." });
      const [sms, mail] = await messaging.outbox.list();
      assert.equal(sms?.kind, 'sms');
      assert.equal(sms?.to, '0639980001');
      assert.equal(sms?.text, "Votre code d'activation e-CPS : 123456.");
      assert.equal(sms?.subject, null);
      assert.equal(sms?.html, null);
      assert.equal(mail?.kind, 'mail');
      assert.ok(sms!.at > mail!.at, 'strictly newer');
    });

    it('serves /api/messages as DESIGN §5 says, the page, the images and clearing', async () => {
      const listed = await messages();
      assert.deepEqual(
        listed.map((m) => m.kind),
        ['sms', 'mail'],
      );
      for (const message of listed) {
        assert.deepEqual(Object.keys(message).sort(), ['at', 'html', 'id', 'kind', 'subject', 'text', 'to']);
        assert.equal(new Date(message.at).toISOString(), message.at);
      }
      const mail = listed[1]!;

      const image = await fetch(`${outboxServer.url}/api/messages/${mail.id}/attachments/0`);
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.ok(Buffer.from(await image.arrayBuffer()).equals(PNG));
      assert.equal((await fetch(`${outboxServer.url}/api/messages/${mail.id}/attachments/1`)).status, 404);

      const pageResponse = await fetch(`${outboxServer.url}/`);
      assert.equal(pageResponse.status, 200);
      const pageHtml = await pageResponse.text();
      assert.match(pageHtml, /<html lang="fr">/);
      assert.match(pageHtml, /Activation de votre e-CPS — étape 1/);
      assert.match(pageHtml, /Votre code d&#39;activation e-CPS : 123456\./);
      assert.ok(pageHtml.includes(`src="/api/messages/${mail.id}/attachments/0"`), 'the QR image is shown');
      assert.ok(pageHtml.indexOf('123456') < pageHtml.indexOf('étape 1'), 'newest first on the page too');

      const mailHtml = await (await fetch(`${outboxServer.url}/messages/${mail.id}/html`)).text();
      assert.ok(
        mailHtml.includes(`src="/api/messages/${mail.id}/attachments/0"`),
        'cid: points at the attachment',
      );

      assert.equal((await fetch(`${outboxServer.url}/api/messages`, { method: 'DELETE' })).status, 204);
      assert.deepEqual(await messages(), []);
    });

    it('throws MESSAGING_MAIL_NOT_SENT when the SMTP server is down, and nothing is stored', async () => {
      const down = smtpMailSender({
        url: `smtp://127.0.0.1:${await freePort()}`,
        from: 'test@caducee.localhost',
      });
      await assert.rejects(
        down.send({ to: 'claire.martin@demo.caducee.test', subject: 'Code', text: 'Code : 123456' }),
        (error: unknown) => {
          assert.ok(messagingErrors.MailNotSent.is(error));
          assert.equal(error.status, 503);
          assert.match(error.message, /n'a pas pu être envoyé/);
          assert.match(error.hint ?? '', /Réessayez/);
          return true;
        },
      );
      assert.deepEqual(await messaging.outbox.list(), []);
    });
  });
}

describe('messaging: SMS through an HTTP gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let messaging: Messaging;
  let opened: OpenedStore;

  before(async () => {
    gateway = await startGateway();
    opened = await storeCases()[0]!.open();
    messaging = createMessaging({
      settings: settingsWith({
        messaging: {
          smtpUrl: 'smtp://mail.example.org:587',
          smsGatewayUrl: gateway.url,
          smsGatewayToken: 'gateway-token-123',
          smsFrom: 'Caducee',
        },
      }),
      store: opened.store,
    });
  });

  after(async () => {
    await gateway?.close();
    await opened?.dispose();
  });

  it('is chosen when a gateway URL is set, and needs no outbox', () => {
    assert.equal(messaging.embedded, false);
    assert.equal(messaging.usesOutbox, false);
  });

  it('posts {to, text, from} as JSON with the bearer token', async () => {
    await messaging.sms.send({ to: '0639980001', text: 'Votre code : 654321.' });
    assert.equal(gateway.received.length, 1);
    const [request] = gateway.received;
    assert.deepEqual(request?.body, { to: '0639980001', text: 'Votre code : 654321.', from: 'Caducee' });
    assert.equal(request?.headers.authorization, 'Bearer gateway-token-123');
    assert.match(request?.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(await messaging.outbox.list(), [], 'nothing goes to the outbox');
  });

  it('throws MESSAGING_SMS_NOT_SENT when the gateway answers 500 or is unreachable', async () => {
    gateway.status = 500;
    await assert.rejects(messaging.sms.send({ to: '0639980001', text: 'x' }), (error: unknown) => {
      assert.ok(messagingErrors.SmsNotSent.is(error));
      assert.equal(error.status, 503);
      return true;
    });
    const unreachable = createMessaging({
      settings: settingsWith({ messaging: { smsGatewayUrl: `http://127.0.0.1:${await freePort()}/sms` } }),
      store: opened.store,
    });
    await assert.rejects(
      unreachable.sms.send({ to: '0639980001', text: 'x' }),
      messagingErrors.SmsNotSent.is,
    );
  });

  it('hides the gateway token and SMTP password from `config print`', () => {
    const loaded = loadSettings({
      env: {
        CADUCEE_MESSAGING_SMTP_URL: 'smtp://caducee:hunter2@mail.example.org:587',
        CADUCEE_MESSAGING_SMS_GATEWAY_TOKEN: 'gateway-token-123',
      },
    });
    const shown = Object.fromEntries(redactedSettings(loaded).map((s) => [s.setting, s.value]));
    assert.equal(shown['messaging.smsGatewayToken'], '********');
    assert.equal(shown['messaging.smtpUrl'], 'smtp://caducee:********@mail.example.org:587');
  });
});
