import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { luhnKey } from '../../directory/identifiers/luhn.ts';
import type { Mail, MailSender } from '../../messaging/index.ts';
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

/**
 * The app without a provider, in memory: the e-mail way, the reset and their limits, driven by
 * `app.request()` as browsers at chosen addresses (the TCP peer, there being no proxy).
 */
describe('espace médecin: sessions, e-mail way and limits (app)', () => {
  let store: Store;
  let app: Hono;
  const sent: Mail[] = [];
  let mailHangs = false;
  const mail: MailSender = {
    async send(message) {
      sent.push(message);
      if (mailHangs) await new Promise(() => {});
    },
  };

  const makeApp = (url: string) =>
    espaceMedecinApp({
      store,
      url,
      issuer: 'https://idp.test',
      clientId: 'espace-medecin',
      clientSecret: 'secret',
      mail,
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
  async function askCode(visitor: Visitor, idnat = GP) {
    const asked = await visitor.askCode(idnat, PASSWORD);
    assert.equal(asked.status, 303);
    const demande = new URL(asked.headers.get('location')!, URL_BASE).searchParams.get('demande')!;
    const code = /: (\d{6})\n/.exec(sent.at(-1)!.text)![1]!;
    return { demande, code };
  }

  before(async () => {
    store = openSqliteStore(':memory:');
    await migrate(store, espaceMedecinMigrations());
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
  after(() => store.close());
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

  it('answers "Mot de passe oublié ?" without waiting for the e-mail, as for an unknown identifier', async () => {
    const visitor = new Visitor('192.0.2.5');
    const unknown = await (await visitor.askReset(unknownId(1))).text();
    const before = sent.length;
    mailHangs = true;
    try {
      const answer = await Promise.race([
        visitor.askReset(GP),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the answer waited for the e-mail')), 2000),
        ),
      ]);
      assert.equal(answer.status, 200);
      assert.equal(await answer.text(), unknown);
    } finally {
      mailHangs = false;
    }
    assert.equal(sent.length, before + 1, 'the e-mail was handed to the sender');
    assert.match(sent.at(-1)!.text, /mot-de-passe\/nouveau\?jeton=/);
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

  it('sends at most 10 e-mails (codes and reset links together) per identifier, from any address', async () => {
    for (let i = 0; i < 10; i++) {
      const visitor = new Visitor(`203.0.113.${i + 1}`);
      const asked = i % 2 ? await visitor.askReset(GP) : await visitor.askCode(GP, PASSWORD);
      assert.equal(asked.status, i % 2 ? 200 : 303, `e-mail ${i + 1}`);
    }
    const sentBefore = sent.length;
    const reset = await new Visitor('203.0.113.20').askReset(GP);
    assert.equal(reset.status, 429);
    assert.equal(reset.headers.get('retry-after'), String(60 * 60));
    const code = await new Visitor('203.0.113.21').askCode(GP, PASSWORD);
    assert.equal(code.status, 429);
    assert.equal(code.headers.get('retry-after'), String(60 * 60));
    assert.equal(sent.length, sentBefore, 'no e-mail past the limit');
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
