import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { EcpsDb } from '../src/ecps/index.ts';
import type { OutboxMessage } from '../src/messaging/index.ts';
import { accessibilityViolations } from './support/accessibility.ts';
import { launchChromium, trustServerKey } from './support/browser.ts';
import { registerCibaClient, registerWebClient } from './support/clients.ts';
import { type EcpsDeployment, startEcpsDeployment } from './support/ecps-deployment.ts';
import { trustingFetch } from './support/https.ts';
import { y4mFromPng } from './support/qr.ts';
import type { TestRelyingParty } from './support/relying-party.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import type { TestSystem } from './support/system.ts';

const GP = '899760000010';
const CARDIOLOGIST = {
  idnat: '899760000028',
  email: 'thomas.bernard@demo.caducee.test',
  mobile: '0639980002',
};
const PHARMACIST = { idnat: '899760000036', email: 'isabelle.petit@demo.caducee.test', mobile: '0639980003' };
const GP_INTERNATIONAL_MOBILE = {
  idnat: '899760000085',
  email: 'camille.fournier@demo.caducee.test',
  mobile: '0033639980008',
};
const NO_MOBILE = '899760000069';
const IDNAT_LABEL = 'Identifiant national (8 + RPPS ou 0 + ADELI)';

/** The phone: a mobile viewport in its own browser context (its own IndexedDB and service worker). */
function phoneContext(browser: Browser, options: { permissions?: string[] } = {}): Promise<BrowserContext> {
  return browser.newContext({
    ...options,
    ignoreHTTPSErrors: true,
    locale: 'fr-FR',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
}

/** Types a password on the app's PIN pad, one key at a time. */
async function typePin(page: Page, pin: string) {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click();
}

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** What the app keeps in IndexedDB (read in the page, as the app itself would). */
function storedWallet(page: Page) {
  return page.evaluate<{
    state: Record<string, unknown> | undefined;
    key?: { type: string; extractable: boolean; usages: string[]; curve: string; exported: string };
  }>(`(async () => {
    const db = await new Promise((resolve, reject) => {
      const opening = indexedDB.open('caducee-ecps');
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error);
    });
    const get = (key) => new Promise((resolve, reject) => {
      const request = db.transaction('wallet').objectStore('wallet').get(key);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const state = await get('state');
    const pair = await get('device-key');
    db.close();
    if (!pair) return { state };
    const exported = await crypto.subtle.exportKey('jwk', pair.privateKey).then(() => 'exported', (error) => error.name);
    const { type, extractable, usages, algorithm } = pair.privateKey;
    return { state, key: { type, extractable, usages, curve: algorithm.namedCurve, exported } };
  })()`);
}

for (const storeCase of storeCases().slice(0, 1)) {
  describe(`e-CPS app as a PWA: activation, login, deactivation in Chromium (${storeCase.kind})`, {
    timeout: 180_000,
  }, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let deployment: EcpsDeployment;
    let browser: Browser;
    let rp: TestRelyingParty;
    let issuer: string;
    let app: string;
    let outbox: string;
    let config: client.Configuration;
    let https: ReturnType<typeof trustingFetch>;
    let phone: Page;
    let phoneCtx: BrowserContext;
    const secret = 'secret-of-the-e-cps-pwa-relying-party-0123';

    const messages = async (): Promise<OutboxMessage[]> =>
      (await (await fetch(`${outbox}/api/messages`)).json()) as OutboxMessage[];
    const latest = async (kind: 'mail' | 'sms', to?: string) =>
      (await messages()).find((m) => m.kind === kind && (!to || m.to === to));

    /** Authorization request → "Application e-CPS" → identifier, submitted (the computer). */
    async function submitIdentifier(page: Page, idnat: string, state: string) {
      await page.goto(
        client.buildAuthorizationUrl(config, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
          acr_values: 'eidas1',
          state,
        }).href,
      );
      await page.getByLabel(IDNAT_LABEL).fill(idnat);
      await page.getByRole('button', { name: "Se connecter avec l'application e-CPS" }).click();
    }

    /** The SMS code, the password twice: the end of an activation without a card. */
    async function finishWithSms(page: Page, mobile: string, pin: string) {
      await page.getByLabel(/Saisissez le code reçu par SMS au/).waitFor();
      const sms = await latest('sms', mobile);
      const code = /(\d{6})/.exec(sms!.text)![1]!;
      await page.getByLabel(/Saisissez le code reçu par SMS au/).fill(code);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await heading(page, 'Choisissez votre mot de passe');
      await typePin(page, pin);
      await page.getByRole('button', { name: 'Continuer' }).click();
      await heading(page, 'Confirmez votre mot de passe');
      await typePin(page, pin);
      await page.getByRole('button', { name: 'Valider', exact: true }).click();
      await heading(page, 'Votre e-CPS est active');
    }

    /** The e-mail way, asked through the API, then the e-mail's link opened in the app. */
    async function activateByLink(
      page: Page,
      person: { idnat: string; email: string; mobile: string },
      pin: string,
      beforeCode?: () => Promise<void>,
    ) {
      const sent = await https(`${issuer}/ecps/api/activation/envoi`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idnat: person.idnat }),
      });
      assert.equal(sent.status, 202, await sent.text());
      const mail = await latest('mail', person.email);
      const link = /(https:\S+#activer=[\w-]+)/.exec(mail!.text)![1]!;
      await page.goto(link);
      await beforeCode?.();
      await finishWithSms(page, person.mobile, pin);
      // The token left the address bar: a reload does not try it again.
      assert.doesNotMatch(page.url(), /activer=/);
    }

    before(async () => {
      opened = await storeCase.open();
      deployment = await startEcpsDeployment(opened);
      ({ test, rp, issuer, outbox } = deployment);
      const { system } = test;
      await registerWebClient(system, {
        client_id: 'rp-pwa',
        client_name: 'Espace de test',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
      });
      await registerCibaClient(system, {
        client_id: 'rp-pwa-ciba',
        client_name: 'Service CIBA de test',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
      });
      app = `${issuer}/ecps/app/`;
      https = trustingFetch((await system.tls()).caPem);
      config = await client.discovery(new URL(issuer), 'rp-pwa', secret, undefined, {
        [client.customFetch]: https as unknown as client.CustomFetch,
      });
      browser = await launchChromium({ args: [trustServerKey((await system.tls()).fullChainPem)] });
      phoneCtx = await phoneContext(browser);
      phone = await phoneCtx.newPage();
    });

    after(async () => {
      await browser?.close();
      await deployment?.close();
      await opened?.dispose();
    });

    it('serves an installable app: manifest, icons, service worker, the shared protocol module, strict CSP', async () => {
      const page = await https(app);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const html = await page.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
      assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/, 'no style attribute nor inline handler');

      const redirect = await https(`${issuer}/ecps/app`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('location'), '/ecps/app/');

      const manifestResponse = await https(`${app}manifest.webmanifest`);
      assert.match(manifestResponse.headers.get('content-type') ?? '', /^application\/manifest\+json/);
      const manifest = JSON.parse(await manifestResponse.text());
      const manifestUrl = `${app}manifest.webmanifest`;
      assert.equal(manifest.name, 'e-CPS');
      assert.equal(manifest.display, 'standalone');
      assert.equal(new URL(manifest.start_url, manifestUrl).href, app);
      assert.equal(new URL(manifest.scope, manifestUrl).href, app);
      const sizes = manifest.icons.map((icon: { sizes: string }) => icon.sizes);
      assert.ok(sizes.includes('192x192') && sizes.includes('512x512'), sizes.join());
      for (const icon of manifest.icons as Array<{ src: string; type: string }>) {
        const response = await https(new URL(icon.src, manifestUrl).href);
        assert.equal(response.status, 200, icon.src);
        assert.equal(response.headers.get('content-type'), icon.type);
      }

      const protocol = await https(`${app}protocol.js`);
      assert.match(protocol.headers.get('content-type') ?? '', /^text\/javascript/);
      const source = await protocol.text();
      assert.match(source, /export class WalletClient/);
      assert.doesNotMatch(source, /^\s*export interface|: Promise</m, 'types are stripped');
      const jsQR = await https(`${app}vendor/jsQR.js`);
      assert.equal(jsQR.status, 200);
      const sw = await (await https(`${app}sw.js`)).text();
      assert.doesNotMatch(sw, /version: 'dev'/, 'the server filled in the file list');
      assert.match(sw, /"protocol\.js"/);
      assert.equal((await https(`${app}nothing-here.js`)).status, 404);

      // CSP violations would show up as console errors; the service worker registers in scope.
      const problems: string[] = [];
      phone.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      phone.on('pageerror', (error) => problems.push(error.message));
      await phone.goto(app);
      await heading(phone, 'Activer ma e-CPS');
      const scope = await phone.evaluate<string>(
        `Promise.race([
          navigator.serviceWorker.ready.then((registration) => registration.scope),
          new Promise((resolve) => setTimeout(() => resolve('not registered within 15 s'), 15000)),
        ])`,
      );
      assert.equal(scope, app);
      assert.deepEqual(await accessibilityViolations(phone), []);
      assert.deepEqual(problems, []);
      // Installed, it opens without network: the service worker serves the app's files.
      await phoneCtx.setOffline(true);
      await phone.reload();
      await heading(phone, 'Activer ma e-CPS');
      await phoneCtx.setOffline(false);
    });

    it('says what to do when a correspondence contact is missing', async () => {
      await phone.getByRole('button', { name: "Demander l'activation de la e-CPS" }).click();
      await heading(phone, "Demander l'activation de la e-CPS");
      await phone.getByLabel(IDNAT_LABEL).fill(NO_MOBILE);
      await phone.getByRole('button', { name: 'Continuer' }).click();
      const alert = phone.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      assert.match(text, /mobile de correspondance/);
      assert.match(text, /autorité d'enregistrement/);
      assert.match(text, /48 heures/);
      await phone.getByRole('button', { name: 'Annuler' }).click();
      await heading(phone, 'Activer ma e-CPS');
    });

    it('activates without a card through the app: identifier, masked contacts, QR code from the e-mail image, SMS code, password', async () => {
      await phone.getByRole('button', { name: "Demander l'activation de la e-CPS" }).click();
      await phone.getByLabel(IDNAT_LABEL).fill(GP);
      await phone.getByRole('button', { name: 'Continuer' }).click();
      await heading(phone, 'Vos coordonnées de correspondance');
      const contacts = await phone.locator('dl.facts').innerText();
      assert.match(contacts, /c•+n@d•+o\.caducee\.test/);
      assert.match(contacts, /06 •• •• •• 01/);
      await phone.getByRole('button', { name: "Envoyer ma demande d'activation" }).click();
      await heading(phone, 'Consultez votre messagerie');

      const mail = await latest('mail', 'claire.martin@demo.caducee.test');
      assert.equal(mail?.subject, 'Activation de votre e-CPS');
      const png = Buffer.from(
        await (await fetch(`${outbox}/api/messages/${mail!.id}/attachments/0`)).arrayBuffer(),
      );
      await phone.getByRole('button', { name: "Scanner un QR code d'activation" }).click();
      await heading(phone, "Scanner un QR code d'activation");
      // No camera here: the app says so and offers the picture and the link instead.
      await phone.getByText(/caméra.*(refusé|disponible)/).waitFor();
      await phone.getByLabel('Choisir une image du QR code').setInputFiles({
        name: 'qr-activation.png',
        mimeType: 'image/png',
        buffer: png,
      });

      const field = phone.getByLabel('Saisissez le code reçu par SMS au 06 •• •• •• 01');
      await field.waitFor();
      const sms = await latest('sms', '0639980001');
      const code = /(\d{6})/.exec(sms!.text)![1]!;
      await field.fill(code === '000000' ? '111111' : '000000');
      await phone.getByRole('button', { name: 'Valider le code' }).click();
      await phone.getByRole('alert').filter({ hasText: 'Il vous reste 2 essais' }).waitFor();
      await field.fill(code);
      await phone.getByRole('button', { name: 'Valider le code' }).click();

      await heading(phone, 'Choisissez votre mot de passe');
      assert.deepEqual(await accessibilityViolations(phone), []);
      await typePin(phone, '1234');
      await phone.getByRole('button', { name: 'Continuer' }).click();
      await heading(phone, 'Confirmez votre mot de passe');
      await typePin(phone, '1234');
      await phone.getByRole('button', { name: 'Valider', exact: true }).click();
      await phone.getByRole('alert').filter({ hasText: 'trop simple' }).waitFor();
      await heading(phone, 'Choisissez votre mot de passe');
      // The keyboard works as well as the pad.
      await phone.getByLabel('Mot de passe (4 chiffres)').pressSequentially('1357');
      await phone.getByRole('button', { name: 'Continuer' }).click();
      await heading(phone, 'Confirmez votre mot de passe');
      await typePin(phone, '1357');
      await phone.getByRole('button', { name: 'Valider', exact: true }).click();
      await heading(phone, 'Votre e-CPS est active');
      await phone.getByText(/valable jusqu'au \d{1,2} \S+ \d{4}/).waitFor();
      await phone.getByRole('button', { name: 'Continuer' }).click();
      await heading(phone, 'Ma e-CPS');
      await phone.getByText('Aucune demande de connexion en attente.').waitFor();
    });

    it('keeps a non-extractable private key in IndexedDB, and the wallet state beside it', async () => {
      const stored = await storedWallet(phone);
      assert.equal(stored.key?.type, 'private');
      assert.equal(stored.key?.extractable, false);
      assert.equal(stored.key?.curve, 'P-256');
      assert.deepEqual(stored.key?.usages, ['sign']);
      assert.equal(stored.key?.exported, 'InvalidAccessError');
      assert.equal(stored.state?.idnat, GP);
      assert.equal(stored.state?.server, issuer);
      assert.ok(stored.state?.deviceId);
      assert.equal(stored.state?.activationId, undefined);
      assert.equal('privateJwk' in (stored.state ?? {}), false);
    });

    it('logs in to a relying party: the computer shows the code, the phone picks it among three and gives the password', async () => {
      const computer = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await computer.newPage();
      const state = client.randomState();
      await submitIdentifier(page, GP, state);
      const code = (await page.getByTestId('code-dynamique').innerText()).trim();
      assert.match(code, /^\d{2}$/);

      await phone.getByRole('heading', { name: 'Espace de test' }).waitFor();
      await phone.getByRole('button', { name: 'Répondre' }).click();
      await heading(phone, 'Demande de connexion');
      const radios = phone.getByRole('radio');
      assert.equal(await radios.count(), 3);
      await phone.getByRole('radio', { name: code, exact: true }).check();
      assert.deepEqual(await accessibilityViolations(phone), []);
      // A wrong password first: the app says how many tries are left.
      await typePin(phone, '2468');
      await phone.getByRole('button', { name: 'Valider', exact: true }).click();
      await phone.getByRole('alert').filter({ hasText: 'Il vous reste 2 essais' }).waitFor();
      await typePin(phone, '1357');
      await phone.getByRole('button', { name: 'Valider', exact: true }).click();
      await phone.getByText('Connexion à Espace de test validée').waitFor();

      await page.waitForURL(`${rp.redirectUri}**`);
      const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
        expectedState: state,
      });
      const idToken = tokens.claims()!;
      assert.equal(idToken.preferred_username, GP);
      assert.deepEqual(idToken.amr, ['mfa', 'hwk', 'pin']);
      assert.equal(idToken.acr, 'eidas1');
      await computer.close();
    });

    it('shows a CIBA request with its binding message and no codes; "Je teste ma e-CPS"; "Je me déconnecte de toutes les sessions"', async () => {
      const cibaConfig = await client.discovery(new URL(issuer), 'rp-pwa-ciba', secret, undefined, {
        [client.customFetch]: https as unknown as client.CustomFetch,
      });
      const started = await client.initiateBackchannelAuthentication(cibaConfig, {
        scope: 'openid scope_all',
        login_hint: GP,
        binding_message: 'Connexion DMP 4821',
        acr_values: 'eidas1',
      });
      const polling = client.pollBackchannelAuthenticationGrant(cibaConfig, started);
      await phone.getByRole('heading', { name: 'Service CIBA de test' }).waitFor();
      await phone.getByRole('button', { name: 'Répondre' }).click();
      await heading(phone, 'Demande de connexion');
      await phone.getByText('Connexion DMP 4821').waitFor();
      assert.equal(await phone.getByRole('radio').count(), 0);
      await typePin(phone, '1357');
      await phone.getByRole('button', { name: 'Valider', exact: true }).click();
      await phone.getByText('Connexion à Service CIBA de test validée').waitFor();
      assert.equal((await polling).claims()?.preferred_username, GP);

      await phone.getByRole('button', { name: 'Je teste ma e-CPS' }).click();
      await heading(phone, 'Je teste ma e-CPS');
      await typePin(phone, '1357');
      await phone.getByRole('button', { name: 'Tester' }).click();
      await phone.getByText('Bravo ! Votre e-CPS fonctionne.').waitFor();
      await phone.getByRole('button', { name: 'Retour' }).click();
      await heading(phone, 'Ma e-CPS');

      await phone.getByRole('button', { name: 'Je me déconnecte de toutes les sessions' }).click();
      await phone
        .getByRole('status')
        .filter({ hasText: /déconnecté/ })
        .waitFor();
      const [logout] = await test.system.audit.list({ type: 'ecps.logout_all' });
      assert.equal(logout?.actor, GP);
    });

    it('deactivates from Paramètres: back to the first screen, the key is gone, and a login says no e-CPS is active', async () => {
      await phone.getByRole('button', { name: 'Paramètres' }).click();
      await heading(phone, 'Paramètres');
      await phone.getByText(GP, { exact: true }).waitFor();
      await phone.getByRole('button', { name: 'Désactiver ma e-CPS' }).click();
      await heading(phone, 'Désactiver ma e-CPS ?');
      await phone.getByRole('button', { name: 'Oui, désactiver ma e-CPS' }).click();
      await heading(phone, 'Activer ma e-CPS');
      await phone.getByText('Votre e-CPS a été désactivée').waitFor();
      const stored = await storedWallet(phone);
      assert.equal(stored.key, undefined);
      assert.equal(stored.state?.deviceId, undefined);
      // Reopened, the app still has no e-CPS.
      await phone.reload();
      await heading(phone, 'Activer ma e-CPS');

      const computer = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await computer.newPage();
      await submitIdentifier(page, GP, client.randomState());
      assert.match(await page.getByRole('alert').innerText(), /Aucune e-CPS n'est active/);
      const events = await test.system.audit.list({ type: 'ecps.deactivate' });
      assert.equal(events[0]?.actor, GP);
      await computer.close();
    });

    it('opens the e-mail link directly; an expired e-CPS is deleted with "Supprimer ma e-CPS"; a blocked one is forgotten', async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      await activateByLink(page, CARDIOLOGIST, '2580');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await heading(page, 'Ma e-CPS');

      const db = opened.store.db as EcpsDb;
      await db
        .updateTable('ecps_device')
        .set({ expires_at: new Date(Date.now() - 86_400_000).toISOString() })
        .where('idnat', '=', CARDIOLOGIST.idnat)
        .where('status', '=', 'active')
        .execute();
      await page.reload();
      await heading(page, 'Votre e-CPS a expiré');
      await page.getByRole('button', { name: 'Supprimer ma e-CPS' }).click();
      await heading(page, 'Activer ma e-CPS');
      await page.getByText('Votre e-CPS a été supprimée').waitFor();
      const revoked = await db
        .selectFrom('ecps_device')
        .select('status')
        .where('idnat', '=', CARDIOLOGIST.idnat)
        .execute();
      assert.ok(revoked.every((device) => device.status !== 'active'));

      await activateByLink(page, CARDIOLOGIST, '2580');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await heading(page, 'Ma e-CPS');
      await page.getByRole('button', { name: 'Je teste ma e-CPS' }).click();
      for (const remaining of ['2 essais', '1 essai ']) {
        await typePin(page, '9630');
        await page.getByRole('button', { name: 'Tester' }).click();
        await page.getByRole('alert').filter({ hasText: remaining }).waitFor();
      }
      await typePin(page, '9630');
      await page.getByRole('button', { name: 'Tester' }).click();
      await heading(page, 'Votre e-CPS est bloquée');
      await page.getByRole('button', { name: 'Oublier cette e-CPS et la réactiver' }).click();
      await heading(page, 'Activer ma e-CPS');
      assert.equal((await storedWallet(page)).key, undefined);
      await context.close();
    });

    it('replaces the e-CPS of the app when another activation link is opened, after asking, and ends the old one', async () => {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      await activateByLink(page, PHARMACIST, '3691');
      const first = (await storedWallet(page)).state?.deviceId;
      await page.getByRole('button', { name: 'Continuer' }).click();
      await heading(page, 'Ma e-CPS');

      await activateByLink(page, PHARMACIST, '4826', async () => {
        await heading(page, 'Remplacer votre e-CPS ?');
        await page.getByRole('button', { name: "Continuer l'activation" }).click();
      });
      const second = (await storedWallet(page)).state?.deviceId;
      assert.notEqual(second, first);
      const devices = await (opened.store.db as EcpsDb)
        .selectFrom('ecps_device')
        .select(['id', 'status'])
        .where('idnat', '=', PHARMACIST.idnat)
        .execute();
      const status = Object.fromEntries(devices.map((device) => [device.id, device.status]));
      assert.equal(status[second as string], 'active');
      // The old device is revoked in the background, right after the new one is registered.
      for (let i = 0; status[first as string] !== 'revoked' && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const row = await (opened.store.db as EcpsDb)
          .selectFrom('ecps_device')
          .select('status')
          .where('id', '=', first as string)
          .executeTakeFirst();
        status[first as string] = row!.status;
      }
      assert.equal(status[first as string], 'revoked');
      await context.close();
    });

    it("scans the QR code with the camera (a fake camera filming the e-mail's QR code)", async () => {
      const sent = await https(`${issuer}/ecps/api/activation/envoi`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idnat: GP_INTERNATIONAL_MOBILE.idnat }),
      });
      assert.equal(sent.status, 202, await sent.text());
      const mail = await latest('mail', GP_INTERNATIONAL_MOBILE.email);
      const png = Buffer.from(
        await (await fetch(`${outbox}/api/messages/${mail!.id}/attachments/0`)).arrayBuffer(),
      );
      const video = path.join(mkdtempSync(path.join(tmpdir(), 'caducee-camera-')), 'qr.y4m');
      writeFileSync(video, y4mFromPng(png));
      // Camera flags are per browser: this one films the QR code.
      const withCamera = await launchChromium({
        args: [
          trustServerKey((await test.system.tls()).fullChainPem),
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${video}`,
        ],
      });
      try {
        const page = await (await phoneContext(withCamera, { permissions: ['camera'] })).newPage();
        await page.goto(app);
        await page.getByRole('button', { name: "Scanner un QR code d'activation" }).click();
        await heading(page, "Scanner un QR code d'activation");
        // Decoding camera frames is CPU work in the page: on a loaded machine it takes longer.
        await page
          .getByLabel('Saisissez le code reçu par SMS au 06 •• •• •• 08')
          .waitFor({ timeout: 90_000 });
        const sms = await latest('sms', GP_INTERNATIONAL_MOBILE.mobile);
        await page.getByLabel(/Saisissez le code reçu par SMS/).fill(/(\d{6})/.exec(sms!.text)![1]!);
        await page.getByRole('button', { name: 'Valider le code' }).click();
        await heading(page, 'Choisissez votre mot de passe');
      } finally {
        await withCamera.close();
      }
    });

    it('card way, server answers simulated: shows the code for the portal, waits until it is typed there, then the password', async () => {
      // The portal side is covered by its own test; here only the app's screens, on fixed answers.
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const calls: Array<{ path: string; body: Record<string, any>; authorization?: string }> = [];
      let polls = 0;
      const expiresAt = '2027-11-26T10:00:00.000Z';
      await page.route('**/ecps/api/**', async (route) => {
        const request = route.request();
        const path = new URL(request.url()).pathname.replace('/ecps/api', '');
        calls.push({
          path,
          body: JSON.parse(request.postData() ?? '{}'),
          authorization: (await request.allHeaders()).authorization,
        });
        const answers: Record<string, () => unknown> = {
          '/activation/demarrer': () => ({
            activationId: 'activation-1',
            deviceId: 'device-1',
            idnat: '899760000036',
            mode: 'card',
            code: '482913',
          }),
          '/activation/etat': () => ({ status: 'open', codeConfirmed: ++polls >= 3 }),
          '/activation/mot-de-passe': () => ({ expiresAt }),
          '/appareil': () => ({ deviceId: 'device-1', idnat: '899760000036', status: 'active', expiresAt }),
          '/demandes': () => ({ requests: [] }),
        };
        const answer = answers[path];
        await route.fulfill(
          answer
            ? { status: 200, contentType: 'application/json', body: JSON.stringify(answer()) }
            : {
                status: 404,
                contentType: 'application/json',
                body: '{"error":{"code":"NOT_FOUND","message":"?"}}',
              },
        );
      });
      await page.goto(`${app}#activer=${'A'.repeat(43)}`);
      await heading(page, 'Code à saisir sur le portail');
      await page.getByText('Saisissez ce code sur le portail e-CPS de votre ordinateur').waitFor();
      assert.equal(await page.getByTestId('code-activation').innerText(), '482913');
      await page
        .getByRole('status')
        .filter({ hasText: 'En attente de la saisie du code sur le portail' })
        .waitFor();
      await heading(page, 'Choisissez votre mot de passe');
      assert.equal(polls, 3);
      await typePin(page, '2580');
      await page.getByRole('button', { name: 'Continuer' }).click();
      await typePin(page, '2580');
      await page.getByRole('button', { name: 'Valider', exact: true }).click();
      await heading(page, 'Votre e-CPS est active');
      await page.getByText("Elle est valable jusqu'au 26 novembre 2027.").waitFor();

      // The calls after the key exists are signed with it (ES256, kid = device id, this very URL).
      const started = calls.find((call) => call.path === '/activation/demarrer')!;
      assert.equal(started.authorization, undefined);
      assert.equal(started.body.token, 'A'.repeat(43));
      const chosen = calls.find((call) => call.path === '/activation/mot-de-passe')!;
      assert.deepEqual(chosen.body, { activationId: 'activation-1', pin: '2580' });
      const jws = chosen.authorization!.replace(/^ECPS /, '');
      assert.equal(decodeProtectedHeader(jws).kid, 'device-1');
      const { payload } = await compactVerify(jws, await importJWK(started.body.publicJwk, 'ES256'));
      const claims = JSON.parse(new TextDecoder().decode(payload));
      assert.equal(claims.htu, `${issuer}/ecps/api/activation/mot-de-passe`);
      assert.equal(claims.htm, 'POST');
      await context.close();
    });
  });
}
