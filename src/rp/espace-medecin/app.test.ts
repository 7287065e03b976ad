import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eventually } from '../../../test/support/eventually.ts';
import { luhnKey } from '../../directory/identifiers/luhn.ts';
import {
  type MessagingDb,
  messagingMigrations,
  Outbox,
  type SmtpCatcher,
  smtpMailSender,
  startSmtpCatcher,
} from '../../messaging/index.ts';
import { createLogger, migrate, openSqliteStore, type Store } from '../../platform/index.ts';
import { Accounts } from './accounts.ts';
import { espaceMedecinApp } from './app.ts';
import { hashPassword } from './passwords.ts';
import { espaceMedecinMigrations } from './store/migrations.ts';
import type { EspaceMedecinDb } from './store/tables.ts';

const URL_BASE = 'http://em.test';
const GP = '899760000010';
const DOCTOR = '899760000028';
const PASSWORD = 'Tilleuls2026';
const COOKIE = 'espace_medecin_session';

/** A well-formed RPPS-based identifier that has no account here. */
const unknownId = (n: number) => {
  const body = `9${String(n).padStart(9, '0')}`;
  return `8${body}${luhnKey(body)}`;
};

const FROM = 'Espace médecin <ne-pas-repondre@em.test>';
const GP_EMAIL = 'claire@cabinet.test';

/**
 * An SMTP relay that answers the connection only once `open()` is called: a mail server that is
 * slow or stuck, as the professional's page must not wait for.
 */
async function startHeldRelay() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const received: Array<{ to: string; text: string }> = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // The app's pooled connection stays open a few seconds after the mail: not worth waiting for.
    closeTimeout: 100,
    onConnect(_session, callback) {
      connections++;
      opened.then(() => callback());
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address).join(', '),
          text: parsed.text ?? '',
        });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    open: () => open(),
    connections: () => connections,
    received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * The app without a provider, on an in-memory store: the e-mail way, the reset and their limits,
 * driven by `app.request()` as browsers at chosen addresses (the TCP peer, there being no proxy).
 * Its e-mails really travel over SMTP, to the dev outbox's catcher.
 */
describe('espace médecin: sessions, e-mail way and limits (app)', () => {
  let store: Store;
  let app: Hono;
  let outbox: Outbox;
  let catcher: SmtpCatcher;

  /** The mails the catcher received for this address, newest first. */
  const mailsTo = async (address: string) => (await outbox.list()).filter((m) => m.to === address);

  const makeApp = (url: string, smtpUrl = `smtp://127.0.0.1:${catcher.port}`) =>
    espaceMedecinApp({
      store,
      url,
      issuer: 'https://idp.test',
      clientId: 'espace-medecin',
      clientSecret: 'secret',
      mail: smtpMailSender({ url: smtpUrl, from: FROM }),
      key: randomBytes(32),
      log: createLogger('silent'),
    });

  /** A browser: its session cookie, its address. */
  class Visitor {
    cookie = '';
    readonly address: string;
    readonly target: Hono;
    constructor(address: string, target = app) {
      this.address = address;
      this.target = target;
    }

    async request(
      path: string,
      init: { form?: Record<string, string>; headers?: Record<string, string> } = {},
    ) {
      const headers = new Headers(init.headers);
      if (this.cookie) headers.set('cookie', `${COOKIE}=${this.cookie}`);
      const response = await this.target.request(
        `${URL_BASE}${path}`,
        {
          method: init.form ? 'POST' : 'GET',
          headers,
          body: init.form ? new URLSearchParams(init.form) : undefined,
        },
        { incoming: { headers: {}, socket: { remoteAddress: this.address } } },
      );
      for (const set of response.headers.getSetCookie()) {
        const value = new RegExp(`^${COOKIE}=([^;]*)`).exec(set)?.[1];
        if (value !== undefined) this.cookie = value;
      }
      return response;
    }

    async csrf(): Promise<string> {
      const page = await (await this.request('/connexion')).text();
      return /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    }

    async post(path: string, form: Record<string, string>, headers?: Record<string, string>) {
      return this.request(path, { form: { csrf: await this.csrf(), ...form }, headers });
    }

    askCode = (identifiant: string, mot_de_passe: string) =>
      this.post('/connexion/email', { identifiant, mot_de_passe });
    askReset = (identifiant: string) => this.post('/mot-de-passe/oubli', { identifiant });
  }

  /** Identifier + password, then the code of the e-mail that answered it. */
  async function askCode(visitor: Visitor) {
    const asked = await visitor.askCode(GP, PASSWORD);
    assert.equal(asked.status, 303);
    const demande = new URL(asked.headers.get('location')!, URL_BASE).searchParams.get('demande')!;
    // The code is sent before the answer: its mail is the newest with a code.
    const mail = (await mailsTo(GP_EMAIL)).find((m) => /: \d{6}\n/.test(m.text));
    const code = /: (\d{6})\n/.exec(mail!.text)![1]!;
    return { demande, code };
  }

  before(async () => {
    store = openSqliteStore(':memory:');
    await migrate(store, espaceMedecinMigrations(), messagingMigrations());
    outbox = new Outbox(store.db as MessagingDb);
    catcher = await startSmtpCatcher(outbox, { port: 0 });
    app = makeApp(URL_BASE);
    const accounts = new Accounts(store.db as EspaceMedecinDb, () => new Date());
    const passwordHash = await hashPassword(PASSWORD);
    for (const [idnat, givenName] of [
      [GP, 'Claire'],
      [DOCTOR, 'Thomas'],
    ] as const) {
      await accounts.create({
        identity: {
          idnat,
          familyName: 'MARTIN',
          givenName,
          professionCode: '10',
          professionLabel: 'Médecin',
          specialtyCode: 'SM54',
          specialtyLabel: 'Médecine générale',
        },
        information: {
          email: `${givenName.toLowerCase()}@cabinet.test`,
          phone: '',
          address: '',
          postcode: '75015',
          city: 'Paris',
        },
        passwordHash,
        createdBy: 'card',
      });
    }
  });
  after(async () => {
    await catcher.close();
    await store.close();
  });
  // Each test counts its own attempts.
  beforeEach(() => (store.db as EspaceMedecinDb).deleteFrom('attempt').execute());

  it('sets the session cookie Secure, HttpOnly and SameSite=Lax when served over https', async () => {
    const response = await new Visitor('192.0.2.1', makeApp('https://em.test')).request('/connexion');
    const cookie = response.headers.getSetCookie().find((set) => set.startsWith(`${COOKIE}=`)) ?? '';
    assert.match(cookie, /;\s*Secure(;|$)/i);
    assert.match(cookie, /;\s*HttpOnly(;|$)/i);
    assert.match(cookie, /;\s*SameSite=Lax(;|$)/i);
  });

  it('gives a new session id at login: the id held before (perhaps planted) opens nothing', async () => {
    const visitor = new Visitor('192.0.2.2');
    const { demande, code } = await askCode(visitor);
    const anonymous = visitor.cookie;
    assert.ok(anonymous);
    const login = await visitor.post('/connexion/email/code', { demande, code });
    assert.equal(login.status, 303);
    assert.notEqual(visitor.cookie, anonymous);
    assert.equal((await visitor.request('/compte')).status, 200);

    const planted = new Visitor('192.0.2.3');
    planted.cookie = anonymous;
    const refused = await planted.request('/compte');
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /ESPACE_MEDECIN_LOGIN_REQUIRED/);
  });

  it('takes an e-mailed code only in the browser session that asked for it', async () => {
    const asker = new Visitor('192.0.2.4');
    const { demande, code } = await askCode(asker);
    const other = new Visitor('192.0.2.4');
    const elsewhere = await other.post('/connexion/email/code', { demande, code });
    assert.equal(elsewhere.status, 400);
    assert.match(await elsewhere.text(), /ESPACE_MEDECIN_CODE_INVALID/);
    assert.equal((await other.request('/compte')).status, 401);
    // The code itself was good, and is still good where it was asked.
    assert.equal((await asker.post('/connexion/email/code', { demande, code })).status, 303);
  });

  it('compares no more than three codes sent at once for one e-mail', async () => {
    const visitor = new Visitor('192.0.2.6');
    const { demande, code } = await askCode(visitor);
    const csrf = await visitor.csrf();
    const wrong = Array.from({ length: 10 }, (_, i) =>
      String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const answers = await Promise.all(
      wrong.map((guess) =>
        visitor.request('/connexion/email/code', { form: { csrf, demande, code: guess } }),
      ),
    );
    const pages = await Promise.all(answers.map((answer) => answer.text()));
    const compared = pages.filter((page) => /ESPACE_MEDECIN_WRONG_CODE/.test(page)).length;
    assert.ok(compared <= 2, `wrong codes compared and answered "tries left": ${compared}`);
    // The tries are spent: the right code no longer opens anything.
    const late = await visitor.post('/connexion/email/code', { demande, code });
    assert.equal(late.status, 400);
    assert.equal((await visitor.request('/compte')).status, 401);
  });

  it('answers "Mot de passe oublié ?" without waiting for the e-mail, as for an unknown identifier', async () => {
    const relay = await startHeldRelay();
    try {
      const visitor = new Visitor('192.0.2.5', makeApp(URL_BASE, relay.url));
      const unknown = await (await visitor.askReset(unknownId(1))).text();
      const answer = await Promise.race([
        visitor.askReset(GP),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the answer waited for the e-mail')), 2000),
        ),
      ]);
      assert.equal(answer.status, 200);
      assert.equal(await answer.text(), unknown);
      await eventually(() => relay.connections() > 0, 'the mail server was called');
      assert.equal(relay.received.length, 0, 'the relay has not answered yet');
      // Once the relay answers, the link reaches the professional.
      relay.open();
      await eventually(() => relay.received.length === 1, 'the reset e-mail was delivered');
      assert.equal(relay.received[0]!.to, GP_EMAIL);
      assert.match(relay.received[0]!.text, /mot-de-passe\/nouveau\?jeton=/);
    } finally {
      await relay.close();
    }
  });

  it('refuses a 31st wrong password from one address, whatever the identifiers, with 429 and Retry-After', async () => {
    const sprayer = new Visitor('198.51.100.31');
    for (let i = 0; i < 30; i++) {
      // A few wrong passwords for an account too: they count the same.
      const identifier = i < 3 ? GP : unknownId(100 + i);
      assert.equal((await sprayer.askCode(identifier, `Mauvais-${i}`)).status, 401, `attempt ${i + 1}`);
    }
    const refused = await sprayer.askCode(unknownId(200), 'Mauvais-30');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), String(15 * 60));
    assert.match(await refused.text(), /Trop de tentatives\. Réessayez dans 15 minutes/);
    // Even the right password, from that address.
    assert.equal((await sprayer.askCode(DOCTOR, PASSWORD)).status, 429);
    assert.equal((await new Visitor('198.51.100.32').askCode(unknownId(200), 'Mauvais-30')).status, 401);
  });

  it('checks no more than five passwords of one identifier, however many arrive at once', async () => {
    // Twelve guesses sent together from twelve addresses, each with its session and form token:
    // checked before any was recorded, they would all have been compared with the hash.
    const guessers = Array.from({ length: 12 }, (_, i) => new Visitor(`198.51.100.${120 + i}`));
    const tokens = await Promise.all(guessers.map((guesser) => guesser.csrf()));
    const answers = await Promise.all(
      guessers.map((guesser, i) =>
        guesser.request('/connexion/email', {
          form: { csrf: tokens[i]!, identifiant: DOCTOR, mot_de_passe: `Devine-${i}` },
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    const checked = statuses.filter((status) => status === 401).length;
    // A burst may be refused whole (each sees the others' attempts): it fails closed.
    assert.ok(checked <= 5, `passwords checked: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((status) => status === 429).length, 12 - checked, statuses.join(' '));
    // Sent one after the other, the limit lets five through as before.
    const next = new Visitor('198.51.100.140');
    for (let i = 0; i < 5 - checked; i++)
      assert.equal((await next.askCode(DOCTOR, `Encore-${i}`)).status, 401);
    assert.equal((await next.askCode(DOCTOR, 'Encore-5')).status, 429);
  });

  it('sends at most 10 e-mails (codes and reset links together) per identifier, from any address', async () => {
    const earlier = (await mailsTo(GP_EMAIL)).length;
    for (let i = 0; i < 10; i++) {
      const visitor = new Visitor(`203.0.113.${i + 1}`);
      const asked = i % 2 ? await visitor.askReset(GP) : await visitor.askCode(GP, PASSWORD);
      assert.equal(asked.status, i % 2 ? 200 : 303, `e-mail ${i + 1}`);
    }
    // The reset links leave after their answers: all ten in the mailbox before counting on.
    await eventually(async () => (await mailsTo(GP_EMAIL)).length === earlier + 10, 'ten e-mails');
    const reset = await new Visitor('203.0.113.20').askReset(GP);
    assert.equal(reset.status, 429);
    assert.equal(reset.headers.get('retry-after'), String(60 * 60));
    const code = await new Visitor('203.0.113.21').askCode(GP, PASSWORD);
    assert.equal(code.status, 429);
    assert.equal(code.headers.get('retry-after'), String(60 * 60));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await mailsTo(GP_EMAIL)).length, earlier + 10, 'no e-mail past the limit');
    assert.equal((await new Visitor('203.0.113.22').askCode(DOCTOR, PASSWORD)).status, 303);
  });

  it('sends at most 30 e-mails per address, whatever the identifiers, with or without an account', async () => {
    const bomber = new Visitor('198.51.100.60');
    assert.equal((await bomber.askCode(DOCTOR, PASSWORD)).status, 303);
    for (let i = 1; i < 30; i++) {
      assert.equal((await bomber.askReset(unknownId(300 + i))).status, 200, `request ${i + 1}`);
    }
    const reset = await bomber.askReset(unknownId(400));
    assert.equal(reset.status, 429);
    assert.equal(reset.headers.get('retry-after'), String(60 * 60));
    assert.match(await reset.text(), /Trop de tentatives\. Réessayez dans 60 minutes/);
    assert.equal((await bomber.askCode(GP, PASSWORD)).status, 429);
    assert.equal((await new Visitor('198.51.100.61').askReset(unknownId(400))).status, 200);
  });
});
