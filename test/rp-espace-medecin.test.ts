import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEspaceMedecinServer } from '../src/cli/rp-servers.ts';
import { startCardHostServer, startIdpServer, startMessagingServers } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import type { OutboxMessage } from '../src/messaging/index.ts';
import type { Oidc } from '../src/oidc/index.ts';
import {
  createLogger,
  openPostgresStore,
  openSqliteStore,
  type RunningServer,
  type Store,
} from '../src/platform/index.ts';
import type { EspaceMedecinDb } from '../src/rp/index.ts';
import { accessibilityViolations } from './support/accessibility.ts';
import { launchChromium } from './support/browser.ts';
import { runCli } from './support/cli.ts';
import { CliSession } from './support/cli-session.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const HOSPITAL_DOCTOR = '899760000028';
const PHARMACIST = '899760000036';
const NURSE_RPPS = '899760000044';
const NURSE_ADELI = '0996001012';

const GP_MAIL = 'claire.martin@cabinet-tilleuls.test';
const GP_PASSWORD = 'Tilleuls2026';
const DOCTOR_MAIL = 'thomas.bernard@chu-confluences.test';
const DOCTOR_PASSWORD = 'Confluences69';
const NURSE_MAIL = 'sophie.dubois@chartrons.test';
const NURSE_ADELI_MAIL = 'sophie.dubois.adeli@chartrons.test';
const DAY = 86_400_000;

/** The espace médecin's own database: a second SQLite file, or a schema of its own in PostgreSQL. */
async function openRpStore(kind: string, dir: string): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (kind === 'sqlite') {
    const store = openSqliteStore(path.join(dir, 'espace-medecin.sqlite'));
    return { store, dispose: () => store.close() };
  }
  const url = process.env.CADUCEE_TEST_DATABASE_URL!;
  const schema = `caducee_test_em_${randomBytes(6).toString('hex')}`;
  const store = openPostgresStore(url, { schema });
  return {
    store,
    async dispose() {
      await store.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

for (const storeCase of storeCases()) {
  describe(`Espace médecin relying party: accounts, e-mail way, delegation, linked accounts, logout (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let rpStore: { store: Store; dispose(): Promise<void> };
    let servers: RunningServer[] = [];
    let oidc: Oidc;
    let browser: Browser;
    let base: string;
    let issuer: string;
    let outbox: string;
    let cliEnv: Record<string, string>;
    let offset = 0;
    let gpPassword = GP_PASSWORD;
    let ecpsPage: Page | undefined;
    const clock = () => new Date(Date.now() + offset);
    const cards: Record<string, { pfxPath: string; passphrase: string }> = {};
    const walletDir = mkdtempSync(path.join(tmpdir(), 'caducee-em-wallet-'));

    /** A day (Europe/Paris) counted from the application's today. */
    const dayAt = (days: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(
        new Date(clock().getTime() + days * DAY),
      );
    const db = () => rpStore.store.db as EspaceMedecinDb;
    /** The platform's audit table, created in the espace médecin's own database. */
    const auditRows = (type: string) =>
      (rpStore.store.db as Kysely<any>)
        .selectFrom('audit_event')
        .selectAll()
        .where('type', '=', type)
        .execute() as Promise<Array<{ actor: string | null; outcome: string; details: string }>>;
    const accountCount = async () =>
      Number(
        (
          await db()
            .selectFrom('account')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const messages = async (): Promise<OutboxMessage[]> =>
      (await (await fetch(`${outbox}/api/messages`)).json()) as OutboxMessage[];

    /** The newest e-mail to that address whose subject matches, waiting for it if needed. */
    async function mailTo(to: string, subject: RegExp, after = ''): Promise<OutboxMessage> {
      for (let i = 0; i < 100; i++) {
        const found = (await messages()).find(
          (m) => m.kind === 'mail' && m.to === to && subject.test(m.subject ?? '') && m.id !== after,
        );
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no mail to ${to} matching ${subject}`);
    }
    const lastMailId = async (to: string) => (await messages()).find((m) => m.to === to)?.id ?? '';
    const codeIn = (mail: OutboxMessage) => /: (\d{6})\n/.exec(mail.text)![1]!;

    const newContext = (idnat?: string): Promise<BrowserContext> =>
      browser.newContext({
        locale: 'fr-FR',
        ignoreHTTPSErrors: true,
        clientCertificates: idnat ? [{ origin: test.system.settings.cardHost.url, ...cards[idnat]! }] : [],
      });

    /** "Se connecter par CPS" → the provider's login page → "Carte CPS" → back here. */
    async function cardLogin(page: Page) {
      await page.goto(`${base}/connexion`);
      await page.getByRole('link', { name: 'Se connecter par CPS' }).click();
      await page.waitForURL((url) => url.href.startsWith(issuer) || url.href.startsWith(base));
      // With a live provider session the browser comes straight back (single sign-on).
      if (page.url().startsWith(issuer)) {
        await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      }
      await page.waitForURL((url) => url.href.startsWith(base) && !url.pathname.startsWith('/auth/'));
    }

    /** Identifier + password, then the code read from the e-mail the SMTP catcher received. */
    async function askCode(page: Page, idnat: string, password: string) {
      await page.goto(`${base}/connexion`);
      await page.getByLabel('Identifiant national').fill(idnat);
      await page.getByLabel(/^Mot de passe\b/).fill(password);
      await page.getByRole('button', { name: 'Recevoir un code par e-mail' }).click();
    }

    async function emailLogin(page: Page, idnat: string, password: string, mail: string) {
      // As a new visitor: whatever session this browser had is left behind.
      await page.context().clearCookies();
      const before = await lastMailId(mail);
      await askCode(page, idnat, password);
      await page.waitForURL(`${base}/connexion/email/code**`);
      const code = codeIn(await mailTo(mail, /code de vérification/, before));
      await page.getByLabel('Code reçu par e-mail').fill(code);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await page.waitForURL(`${base}/`);
    }

    /** A first provider login: the creation form filled with valid values, the charter accepted. */
    async function createAccount(
      page: Page,
      values: { email: string; password: string; postcode: string; city: string },
    ) {
      await page.waitForURL(`${base}/inscription`);
      await page.getByLabel('Adresse e-mail').fill(values.email);
      await page.getByLabel(/^Code postal\b(?! \/)/).fill(values.postcode);
      await page.getByLabel('Ville').fill(values.city);
      await page.getByLabel(/^Mot de passe\b/).fill(values.password);
      await page.getByLabel('Répéter le mot de passe').fill(values.password);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.getByLabel("J'ai lu et accepte les conditions ci-dessus").check();
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.waitForURL(`${base}/?ok=bienvenue`);
    }

    const alertText = async (page: Page) =>
      (await page.getByRole('alert').first().innerText()).replace(/\s+/g, ' ');

    async function logoutEverywhere(page: Page) {
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(`${issuer}/**`);
      await page.getByRole('button', { name: 'Me déconnecter' }).click();
      await page.waitForURL(`${base}/deconnecte**`);
    }

    before(async () => {
      opened = await storeCase.open();
      const catcherPort = await freePort();
      const outboxPort = await freePort();
      const emPort = await freePort();
      test = await testSystem(opened, {
        messaging: { catcherPort },
        outbox: { url: `http://localhost:${outboxPort}` },
        espaceMedecin: { url: `http://localhost:${emPort}` },
      } as never);
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const cardDir = mkdtempSync(path.join(tmpdir(), 'caducee-em-cards-'));
      for (const [index, idnat] of [GP, HOSPITAL_DOCTOR, NURSE_RPPS, NURSE_ADELI].entries()) {
        const pin = String(1000 + index * 1111);
        const card = await (await system.cards()).issue(idnat, {
          pin,
          out: path.join(cardDir, `${idnat}.p12`),
        });
        cards[idnat] = { pfxPath: card.file, passphrase: pin };
      }
      rpStore = await openRpStore(storeCase.kind, test.dataDir);
      const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
      const idp = await startIdpServer(system, log, test.ports.idp);
      oidc = idp.oidc;
      servers = [
        ...(await startMessagingServers(system, log)),
        idp,
        await startCardHostServer(system, log, test.ports.cardHost),
        await startEspaceMedecinServer(system, log, emPort, { store: rpStore.store, clock }),
      ];
      base = system.settings.espaceMedecin.url;
      issuer = system.settings.idp.url;
      outbox = system.settings.outbox.url;
      cliEnv = { CADUCEE_DATA_DIR: test.dataDir, CADUCEE_IDP_URL: issuer };
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      for (const server of servers.reverse()) await server.close();
      await rpStore?.dispose();
      test?.dispose();
      await opened?.dispose();
    });

    it('serves its health, metrics and a strict CSP, and keeps its tables out of the provider database', async () => {
      const health = await fetch(`${base}/health/ready`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { service: string }).service, 'espace-medecin');
      assert.equal((await fetch(`${base}/metrics`)).status, 200);
      const login = await fetch(`${base}/connexion`);
      assert.match(login.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.equal(login.headers.get('cache-control'), 'no-store');
      assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly/i);
      assert.match(login.headers.get('set-cookie') ?? '', /SameSite=Lax/i);
      await assert.rejects(opened.store.db.selectFrom('account').selectAll().execute());
      assert.equal(await accountCount(), 0);
    });

    it('first card login → account creation (each password rule named) → charter → home; nothing stored before the charter', async () => {
      const context = await newContext(GP);
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.waitForURL(`${base}/connexion`);
      assert.deepEqual(await accessibilityViolations(page), []);
      await cardLogin(page);
      assert.equal(new URL(page.url()).pathname, '/inscription');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Création de votre compte');
      assert.equal(await page.getByLabel('Nom', { exact: true }).inputValue(), 'MARTIN');
      assert.equal(await page.getByLabel('Prénom').inputValue(), 'Claire');
      assert.equal(await page.getByLabel('Profession').inputValue(), 'Médecin');
      assert.match(await page.getByLabel('Spécialité').inputValue(), /^Médecine générale/);
      for (const label of ['Nom', 'Prénom', 'Profession', 'Spécialité']) {
        assert.equal(await page.getByLabel(label, { exact: true }).getAttribute('readonly'), '', label);
      }
      assert.deepEqual(await accessibilityViolations(page), []);

      // Required fields empty: each named.
      await page.getByRole('button', { name: 'Continuer' }).click();
      let alert = await alertText(page);
      assert.match(alert, /L'adresse e-mail est obligatoire/);
      assert.match(alert, /Le code postal est obligatoire/);
      assert.match(alert, /La ville est obligatoire/);
      assert.equal(await page.getByLabel('Adresse e-mail').getAttribute('aria-invalid'), 'true');

      await page.getByLabel('Adresse e-mail').fill(GP_MAIL);
      await page.getByLabel('Téléphone').fill('01 99 00 12 34');
      await page.getByLabel(/^Adresse$/).fill('12 rue des Tilleuls');
      await page.getByLabel(/^Code postal\b(?! \/)/).fill('75015');
      await page.getByLabel('Ville').fill('Paris');
      const rules: Array<[string, string, RegExp, RegExp[]]> = [
        ['Court1a', 'Court1a', /au moins 8 caractères/, [/minuscule/, /majuscule/, /chiffre/]],
        ['ABCDEFGH1', 'ABCDEFGH1', /au moins une lettre minuscule/, [/8 caractères/, /majuscule/, /chiffre/]],
        ['abcdefgh1', 'abcdefgh1', /au moins une lettre majuscule/, [/8 caractères/, /minuscule/, /chiffre/]],
        ['Abcdefghi', 'Abcdefghi', /au moins un chiffre/, [/8 caractères/, /minuscule/, /majuscule/]],
        [
          GP_PASSWORD,
          'Tilleuls2025',
          /ne sont pas identiques/,
          [/8 caractères/, /minuscule/, /majuscule/, /chiffre/],
        ],
      ];
      for (const [password, repeat, named, others] of rules) {
        await page.getByLabel(/^Mot de passe\b/).fill(password);
        await page.getByLabel('Répéter le mot de passe').fill(repeat);
        await page.getByRole('button', { name: 'Continuer' }).click();
        alert = await alertText(page);
        assert.match(alert, /Le formulaire contient une erreur/, password);
        assert.match(alert, named, password);
        for (const other of others) assert.doesNotMatch(alert, other, `${password}: ${other}`);
        // What was typed stays, except the passwords.
        assert.equal(await page.getByLabel('Ville').inputValue(), 'Paris');
        assert.equal(await page.getByLabel(/^Mot de passe\b/).inputValue(), '');
        assert.equal(await accountCount(), 0);
      }
      await page.getByLabel(/^Mot de passe\b/).fill(GP_PASSWORD);
      await page.getByLabel('Répéter le mot de passe').fill(GP_PASSWORD);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await page.waitForURL(`${base}/inscription/charte`);
      assert.equal(await accountCount(), 0, 'nothing is stored before the charter is accepted');
      assert.deepEqual(await accessibilityViolations(page), []);
      await page.getByRole('button', { name: 'Valider' }).click();
      assert.match(await alertText(page), /Vous devez accepter la charte/);
      assert.equal(await accountCount(), 0);
      await page.getByLabel("J'ai lu et accepte les conditions ci-dessus").check();
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.waitForURL(`${base}/?ok=bienvenue`);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bonjour Claire MARTIN');
      assert.match(await page.getByRole('status').innerText(), /Votre compte est créé/);
      assert.deepEqual(await accessibilityViolations(page), []);
      const account = await db()
        .selectFrom('account')
        .selectAll()
        .where('idnat', '=', GP)
        .executeTakeFirstOrThrow();
      assert.equal(account.email, GP_MAIL);
      assert.equal(account.phone, '0199001234');
      assert.equal(account.profession_code, '10');
      assert.equal(account.specialty_code, 'SM54');
      assert.equal(account.created_by, 'card');
      assert.match(account.password_hash, /^\$argon2id\$/);
      assert.ok(!account.password_hash.includes(GP_PASSWORD));
      const audit = await auditRows('espace_medecin.account_created');
      assert.equal(audit[0]?.actor, GP);
      await context.close();
    });

    it('logs in again by card without a creation form; logout ends the local and the provider session (RP-initiated)', async () => {
      const context = await newContext(GP);
      const page = await context.newPage();
      await cardLogin(page);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await page.getByTestId('viewer-idnat').innerText(), GP);
      await logoutEverywhere(page);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Vous êtes déconnecté');
      await page.goto(`${base}/`);
      await page.waitForURL(`${base}/connexion`);
      // The provider's session is gone too: it asks for the card again.
      await page.getByRole('link', { name: 'Se connecter par CPS' }).click();
      await page.waitForURL(`${issuer}/**`);
      assert.ok(await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).isVisible());
      const logouts = await auditRows('espace_medecin.logout');
      assert.equal(logouts.length, 1);
      await context.close();
    });

    it('refuses forms posted from another site or without the session token', async () => {
      const forged = await fetch(`${base}/connexion/email`, {
        method: 'POST',
        headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'identifiant=899760000010&mot_de_passe=x',
      });
      assert.equal(forged.status, 403);
      assert.match(await forged.text(), /ESPACE_MEDECIN_FORBIDDEN_REQUEST/);
      const noToken = await fetch(`${base}/connexion/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'identifiant=899760000010&mot_de_passe=x',
      });
      assert.equal(noToken.status, 403);

      // With the session's cookie and token, only the origin is wrong: still refused.
      const page = await fetch(`${base}/connexion`);
      const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const post = (headers: Record<string, string>) =>
        fetch(`${base}/mot-de-passe/oubli`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ csrf, identifiant: 'inconnu' }),
        });
      const crossSite: Array<Record<string, string>> = [
        { origin: 'http://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of crossSite) {
        const refused = await post(headers);
        assert.equal(refused.status, 403, JSON.stringify(headers));
        assert.match(await refused.text(), /Requête refusée \(origine\)/);
      }
      assert.equal(
        (await post({ origin: new URL(base).origin, 'sec-fetch-site': 'same-origin' })).status,
        200,
      );
    });

    it('e-mail way: the same refusal for a wrong password and a never-federated professional; wrong, good, reused and expired codes', async () => {
      const context = await newContext();
      const page = await context.newPage();
      await askCode(page, GP, 'Mauvais2026');
      const wrongPassword = await alertText(page);
      assert.match(wrongPassword, /Identifiant ou mot de passe incorrect/);
      assert.match(wrongPassword, /première connexion par carte CPS ou e-CPS/);
      assert.equal(await page.getByLabel('Identifiant national').inputValue(), GP);
      await askCode(page, PHARMACIST, GP_PASSWORD);
      const neverFederated = await alertText(page);
      assert.equal(neverFederated, wrongPassword.replace(GP, PHARMACIST), 'nothing tells who has an account');
      assert.deepEqual(await accessibilityViolations(page), []);
      const refusals = (await auditRows('espace_medecin.login')).filter((r) => r.outcome === 'failure');
      assert.ok(
        refusals.some((r) => r.actor === PHARMACIST && JSON.parse(r.details).reason === 'no_account'),
      );
      assert.ok(refusals.some((r) => r.actor === GP && JSON.parse(r.details).reason === 'wrong_password'));

      // Good password: a code by e-mail (over SMTP, to the catcher).
      const before = await lastMailId(GP_MAIL);
      await askCode(page, GP, GP_PASSWORD);
      await page.waitForURL(`${base}/connexion/email/code**`);
      const codeUrl = page.url();
      const mail = await mailTo(GP_MAIL, /code de vérification/, before);
      const code = codeIn(mail);
      assert.match(mail.text, /valable 10 minutes/);
      await page.getByLabel('Code reçu par e-mail').fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Valider le code' }).click();
      assert.match(await alertText(page), /Code incorrect\. Il vous reste 2 essais/);
      await page.getByLabel('Code reçu par e-mail').fill(code);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await page.waitForURL(`${base}/`);
      assert.equal(await page.getByTestId('viewer-idnat').innerText(), GP);
      const stored = await db().selectFrom('email_code').select('code_mac').execute();
      assert.ok(
        stored.every((row) => !row.code_mac.includes(code)),
        'codes are stored as a MAC',
      );

      // The same code again: refused.
      await page.goto(codeUrl);
      await page.getByLabel('Code reçu par e-mail').fill(code);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      assert.match(await alertText(page), /Ce code a déjà été utilisé/);

      // Logging out of an e-mail session ends it here only (no provider session to end).
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(`${base}/deconnecte`);

      // A code given after its 10 minutes: refused.
      const before2 = await lastMailId(GP_MAIL);
      await askCode(page, GP, GP_PASSWORD);
      await page.waitForURL(`${base}/connexion/email/code**`);
      const late = codeIn(await mailTo(GP_MAIL, /code de vérification/, before2));
      offset += 10 * 60_000 + 1000;
      try {
        await page.getByLabel('Code reçu par e-mail').fill(late);
        await page.getByRole('button', { name: 'Valider le code' }).click();
        assert.match(await alertText(page), /Ce code a expiré/);
      } finally {
        offset -= 10 * 60_000 + 1000;
      }

      // Three wrong codes and the code is dead, even the right one.
      const before3 = await lastMailId(GP_MAIL);
      await askCode(page, GP, GP_PASSWORD);
      await page.waitForURL(`${base}/connexion/email/code**`);
      const third = codeIn(await mailTo(GP_MAIL, /code de vérification/, before3));
      const wrong = third === '123456' ? '654321' : '123456';
      for (const expected of [/2 essais/, /1 essai\b/, /n'est plus valable/]) {
        await page.getByLabel('Code reçu par e-mail').fill(wrong);
        await page.getByRole('button', { name: 'Valider le code' }).click();
        assert.match(await alertText(page), expected);
      }
      await page.getByLabel('Code reçu par e-mail').fill(third);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      assert.match(await alertText(page), /n'est plus valable/);
      await context.close();
    });

    it('"Mot de passe oublié ?": the same answer for any identifier, a single-use link, the rules, the new password', async () => {
      const context = await newContext();
      const page = await context.newPage();
      const countBefore = (await messages()).length;
      for (const idnat of [PHARMACIST, GP]) {
        await page.goto(`${base}/connexion`);
        await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
        await page.getByLabel('Identifiant national').fill(idnat);
        await page.getByRole('button', { name: 'Recevoir le lien' }).click();
        assert.match(
          await page.getByRole('status').innerText(),
          /Si un compte de l'espace médecin correspond à cet identifiant/,
        );
      }
      const mail = await mailTo(GP_MAIL, /Réinitialisation/);
      assert.equal(
        (await messages()).length,
        countBefore + 1,
        'no e-mail for an identifier without an account',
      );
      const link = /(http:\/\/\S+\/mot-de-passe\/nouveau\?jeton=\S+)/.exec(mail.text)![1]!;
      await page.goto(link);
      await page.getByLabel(/^Nouveau mot de passe/).fill('faible');
      await page.getByLabel('Répéter le mot de passe').fill('faible');
      await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
      const alert = await alertText(page);
      for (const rule of [/8 caractères/, /majuscule/, /chiffre/]) assert.match(alert, rule);
      const newPassword = 'Marronniers2027';
      await page.getByLabel(/^Nouveau mot de passe/).fill(newPassword);
      await page.getByLabel('Répéter le mot de passe').fill(newPassword);
      await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
      assert.match(await page.getByRole('status').innerText(), /Votre mot de passe est modifié/);
      await page.goto(link);
      assert.match(await alertText(page), /a expiré ou a déjà servi/);
      await askCode(page, GP, GP_PASSWORD);
      assert.match(await alertText(page), /Identifiant ou mot de passe incorrect/);
      await emailLogin(page, GP, newPassword, GP_MAIL);
      gpPassword = newPassword;
      await context.close();
    });

    it('delegation: the replacement works on the files only during the period, every action names both; ended early, access stops', async () => {
      // The replacement's first login creates their account.
      const doctorContext = await newContext(HOSPITAL_DOCTOR);
      const doctor = await doctorContext.newPage();
      await cardLogin(doctor);
      await createAccount(doctor, {
        email: DOCTOR_MAIL,
        password: DOCTOR_PASSWORD,
        postcode: '69003',
        city: 'Lyon',
      });

      const gpContext = await newContext();
      const gp = await gpContext.newPage();
      await emailLogin(gp, GP, gpPassword, GP_MAIL);
      await gp.goto(`${base}/dossiers`);
      await gp.getByRole('link', { name: 'Créer un dossier' }).click();
      await gp.getByLabel(/^Nom du patient/).fill('Dupont');
      await gp.getByLabel('Prénom du patient').fill('Jeanne');
      await gp.getByLabel('Date de naissance').fill('1950-03-02');
      await gp.getByRole('button', { name: 'Créer le dossier' }).click();
      await gp.waitForURL(/\/dossiers\/[0-9a-f-]+\?ok=cree$/);
      const fileUrl = gp.url().replace(/\?.*$/, '');
      assert.equal(await gp.getByTestId('statut').innerText(), 'En cours');
      assert.deepEqual(await accessibilityViolations(gp), []);

      // A delegation from tomorrow, for three days.
      await gp.goto(`${base}/compte`);
      assert.deepEqual(await accessibilityViolations(gp), []);
      await gp.getByLabel('Identifiant national du remplaçant').fill(HOSPITAL_DOCTOR);
      await gp.getByLabel('Date de début').fill(dayAt(1));
      await gp.getByLabel('Date de fin').fill(dayAt(3));
      await gp.getByRole('button', { name: 'Ajouter la délégation' }).click();
      await gp.waitForURL(`${base}/compte?ok=delegation`);
      assert.match(await gp.getByTestId('delegation-donnee').innerText(), /Thomas BERNARD.*à venir/s);

      // Before the period: nothing.
      await emailLogin(doctor, HOSPITAL_DOCTOR, DOCTOR_PASSWORD, DOCTOR_MAIL);
      await doctor.goto(`${base}/dossiers`);
      assert.equal(await doctor.getByTestId('dossiers-delegues').count(), 0);
      const refused = await doctor.goto(fileUrl);
      assert.equal(refused?.status(), 404);
      assert.match(await alertText(doctor), /Dossier introuvable/);

      // During the period (a day later; sessions have expired since).
      offset += DAY;
      await emailLogin(doctor, HOSPITAL_DOCTOR, DOCTOR_PASSWORD, DOCTOR_MAIL);
      assert.match(await doctor.getByRole('main').innerText(), /Vous remplacez Claire MARTIN jusqu'au/);
      await doctor.goto(`${base}/dossiers`);
      assert.match(
        await doctor.getByTestId('dossiers-delegues').innerText(),
        /Patients de Claire MARTIN[\s\S]*DUPONT Jeanne/,
      );
      await doctor.getByRole('link', { name: 'DUPONT Jeanne' }).click();
      assert.match(await doctor.getByRole('note').innerText(), /en remplacement de Claire MARTIN/);
      await doctor.getByLabel('Nouveau statut').selectOption('admis');
      await doctor.getByRole('button', { name: 'Changer le statut' }).click();
      await doctor.waitForURL(/\?ok=statut$/);
      assert.equal(await doctor.getByTestId('statut').innerText(), 'Admis');
      const change = doctor.getByTestId('activite').filter({ hasText: 'Statut : En cours → Admis' });
      assert.match(
        await change.innerText(),
        new RegExp(`Thomas BERNARD \\(${HOSPITAL_DOCTOR}\\)\\s+Claire MARTIN \\(${GP}\\)`),
      );
      const rows = await db()
        .selectFrom('patient_activity')
        .selectAll()
        .where('action', '=', 'statut')
        .execute();
      const doctorId = (
        await db()
          .selectFrom('account')
          .select('id')
          .where('idnat', '=', HOSPITAL_DOCTOR)
          .executeTakeFirstOrThrow()
      ).id;
      const gpId = (
        await db().selectFrom('account').select('id').where('idnat', '=', GP).executeTakeFirstOrThrow()
      ).id;
      assert.deepEqual(
        rows.map((r) => [r.actor_id, r.on_behalf_of_id]),
        [[doctorId, gpId]],
      );

      // After the period.
      offset += 3 * DAY;
      await emailLogin(doctor, HOSPITAL_DOCTOR, DOCTOR_PASSWORD, DOCTOR_MAIL);
      await doctor.goto(`${base}/dossiers`);
      assert.equal(await doctor.getByTestId('dossiers-delegues').count(), 0);
      assert.equal((await doctor.goto(fileUrl))?.status(), 404);

      // The owner sees what the replacement did.
      await emailLogin(gp, GP, gpPassword, GP_MAIL);
      await gp.goto(fileUrl);
      assert.equal(await gp.getByTestId('statut').innerText(), 'Admis');
      assert.equal(
        (await gp.getByTestId('activite').filter({ hasText: 'Dossier consulté' }).count()) >= 1,
        true,
      );
      await gp.goto(`${base}/compte`);
      assert.match(await gp.getByTestId('delegation-donnee').innerText(), /terminée/);

      // A delegation from today, ended early by the owner.
      await gp.getByLabel('Identifiant national du remplaçant').fill(HOSPITAL_DOCTOR);
      await gp.getByLabel('Date de début').fill(dayAt(0));
      await gp.getByLabel('Date de fin').fill(dayAt(5));
      await gp.getByRole('button', { name: 'Ajouter la délégation' }).click();
      await gp.waitForURL(`${base}/compte?ok=delegation`);
      await doctor.goto(fileUrl);
      assert.equal(await doctor.getByTestId('statut').innerText(), 'Admis');
      await gp.getByRole('button', { name: 'Mettre fin à la délégation à Thomas BERNARD' }).click();
      await gp.waitForURL(`${base}/compte?ok=delegation-fin`);
      assert.match(await gp.getByTestId('delegation-donnee').first().innerText(), /révoquée/);
      assert.equal((await doctor.goto(fileUrl))?.status(), 404);

      // Refusals: unknown replacement, oneself, a past start.
      for (const [idnat, from, to, reason] of [
        [PHARMACIST, dayAt(0), dayAt(1), /Aucun compte de l'espace médecin pour l'identifiant/],
        [GP, dayAt(0), dayAt(1), /vous choisir comme remplaçant/],
        [HOSPITAL_DOCTOR, dayAt(-1), dayAt(1), /date de début ne peut pas être passée/],
        [HOSPITAL_DOCTOR, dayAt(2), dayAt(1), /date de fin précède/],
      ] as const) {
        await gp.getByLabel('Identifiant national du remplaçant').fill(idnat);
        await gp.getByLabel('Date de début').fill(from);
        await gp.getByLabel('Date de fin').fill(to);
        await gp.getByRole('button', { name: 'Ajouter la délégation' }).click();
        assert.match(await alertText(gp), reason);
      }
      await doctorContext.close();
      await gpContext.close();
    });

    it('links a second account of the same person (RPPS and ADELI), switches without logging in again, unlinks', async () => {
      const adeliContext = await newContext(NURSE_ADELI);
      const adeli = await adeliContext.newPage();
      await cardLogin(adeli);
      await createAccount(adeli, {
        email: NURSE_ADELI_MAIL,
        password: 'Adeli0996x',
        postcode: '33000',
        city: 'Bordeaux',
      });
      await adeliContext.close();

      const context = await newContext(NURSE_RPPS);
      const page = await context.newPage();
      await cardLogin(page);
      await createAccount(page, {
        email: NURSE_MAIL,
        password: 'Chartrons33',
        postcode: '33000',
        city: 'Bordeaux',
      });
      await page.goto(`${base}/compte`);

      // Another person's account is refused, even with its password.
      await page.getByLabel('Identifiant national du compte à lier').fill(GP);
      await page.getByLabel('Mot de passe de ce compte').fill(gpPassword);
      await page.getByRole('button', { name: 'Recevoir un code par e-mail' }).click();
      assert.match(await alertText(page), /pas au nom de la même personne/);

      await page.goto(`${base}/compte`);
      const before = await lastMailId(NURSE_ADELI_MAIL);
      await page.getByLabel('Identifiant national du compte à lier').fill(NURSE_ADELI);
      await page.getByLabel('Mot de passe de ce compte').fill('Adeli0996x');
      await page.getByRole('button', { name: 'Recevoir un code par e-mail' }).click();
      await page.waitForURL(`${base}/compte/liaison/code**`);
      const code = codeIn(await mailTo(NURSE_ADELI_MAIL, /code de vérification/, before));
      await page.getByLabel('Code reçu par e-mail').fill(code);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await page.waitForURL(`${base}/compte?ok=liaison`);
      assert.match(await page.getByTestId('compte-lie').innerText(), new RegExp(NURSE_ADELI));

      await page.getByRole('button', { name: `Basculer vers le compte ${NURSE_ADELI}` }).click();
      await page.waitForURL(`${base}/`);
      assert.equal(await page.getByTestId('viewer-idnat').innerText(), NURSE_ADELI);
      await page.goto(`${base}/compte`);
      assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), NURSE_ADELI_MAIL);
      await page.getByRole('button', { name: `Basculer vers le compte ${NURSE_RPPS}` }).click();
      await page.waitForURL(`${base}/`);
      assert.equal(await page.getByTestId('viewer-idnat').innerText(), NURSE_RPPS);

      // A switch to an account that is not linked is refused.
      const csrf = await page.locator('input[name=csrf]').first().inputValue();
      const gpId = (
        await db().selectFrom('account').select('id').where('idnat', '=', GP).executeTakeFirstOrThrow()
      ).id;
      const forged = await page.request.post(`${base}/compte/basculer`, { form: { csrf, compte: gpId } });
      assert.equal(forged.status(), 403);

      await page.goto(`${base}/compte`);
      await page.getByRole('button', { name: `Délier le compte ${NURSE_ADELI}` }).click();
      await page.waitForURL(`${base}/compte?ok=liaison-fin`);
      assert.equal(await page.getByRole('button', { name: /Basculer vers le compte/ }).count(), 0);
      await context.close();

      // Proving the second account by a provider login asks the provider for a new login
      // (prompt=login) even though its session is live; the same card again is refused.
      const gpContext = await newContext(GP);
      const gp = await gpContext.newPage();
      await cardLogin(gp);
      await gp.goto(`${base}/compte`);
      await gp.getByRole('link', { name: 'lier par CPS' }).click();
      await gp.waitForURL(`${issuer}/**`);
      await gp.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      await gp.waitForURL((url) => url.href.startsWith(base));
      assert.match(
        await alertText(gp),
        /Liaison impossible : c’est le compte avec lequel vous êtes connecté/,
      );
      await gpContext.close();
    });

    it('e-CPS: a login to the espace médecin approved in the app (CLI)', async () => {
      const requested = await runCli(['wallet', 'request-activation', GP, '--wallet', walletDir], cliEnv);
      assert.equal(requested.code, 0, requested.stderr);
      const activation = await mailTo('claire.martin@demo.caducee.test', /Activation de votre e-CPS/);
      const link = new RegExp(`(${issuer}/ecps/app/#activer=\\S+)`).exec(activation.text)![1]!;
      const phone = new CliSession(['wallet', 'activate', link, '--wallet', walletDir], cliEnv);
      await phone.waitFor(/Code reçu par SMS :/);
      const sms = (await messages()).find((m) => m.kind === 'sms');
      phone.answer(/(\d{6})/.exec(sms!.text)![1]!);
      await phone.waitFor(/Choisissez votre mot de passe/);
      phone.answer('1357');
      phone.answer('1357');
      assert.equal(await phone.exitedWithin(30_000), 0, phone.stderr);

      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${base}/connexion`);
      await page.getByRole('link', { name: 'Se connecter par e-CPS' }).click();
      await page.waitForURL(`${issuer}/**`);
      await page.getByLabel('Identifiant national (8 + RPPS ou 0 + ADELI)').fill(GP);
      await page.getByRole('button', { name: "Se connecter avec l'application e-CPS" }).click();
      const shown = (await page.getByTestId('code-dynamique').innerText()).trim();
      const approved = await runCli(
        ['wallet', 'approve', '--pin', '1357', '--code', shown, '--wallet', walletDir],
        cliEnv,
      );
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stderr, /Espace médecin/);
      await page.waitForURL(`${base}/`);
      assert.equal(await page.getByTestId('viewer-idnat').innerText(), GP);
      const session = await db()
        .selectFrom('session')
        .selectAll()
        .where('method', '=', 'ecps')
        .executeTakeFirstOrThrow();
      assert.ok(session.oidc_sid, 'the provider session id is kept for back-channel logout');
      ecpsPage = page;
    });

    it('back-channel logout from the provider ends the local session; a forged logout token is refused', async () => {
      const forged = await fetch(`${base}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'logout_token=eyJhbGciOiJub25lIn0.eyJzaWQiOiJ4In0.',
      });
      assert.equal(forged.status, 400);
      const page = ecpsPage!;
      await page.goto(`${base}/`);
      assert.equal(await page.getByTestId('viewer-idnat').innerText(), GP);
      // "Je me déconnecte de toutes les sessions": the provider ends its sessions and tells us.
      // (Also the session of the first card login, whose browser was closed without logging out.)
      assert.ok((await oidc.endSessionsOf(GP)) >= 1);
      await page.goto(`${base}/`);
      await page.waitForURL(`${base}/connexion`);
      const honoured = (await auditRows('espace_medecin.backchannel_logout')).filter(
        (r) => r.outcome === 'success',
      );
      assert.ok(honoured.some((row) => JSON.parse(row.details).sessions === 1));
      await page.context().close();
    });

    it('refuses a sixth wrong password for one identifier with 429, the wait on the page and in Retry-After', async () => {
      const context = await newContext();
      const page = await context.newPage();
      const identifier = '899999999985';
      for (let i = 0; i < 5; i++) {
        await askCode(page, identifier, `Mauvais-${i}`);
        assert.match(await alertText(page), /Identifiant ou mot de passe incorrect/);
      }
      const answered = page.waitForResponse(
        (response) => response.url() === `${base}/connexion/email` && response.request().method() === 'POST',
      );
      await askCode(page, identifier, 'Mauvais-5');
      const refusal = await answered;
      assert.equal(refusal.status(), 429);
      assert.equal(refusal.headers()['retry-after'], String(15 * 60));
      assert.match(await alertText(page), /Trop de tentatives\. Réessayez dans 15 minutes/);
      await context.close();
    });
  });
}
