import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { OutboxMessage } from '../src/messaging/index.ts';
import { launchChromium, trustServerKey } from './support/browser.ts';
import { runCli } from './support/cli.ts';
import { CliSession } from './support/cli-session.ts';
import { registerWebClient } from './support/clients.ts';
import { type EcpsDeployment, startEcpsDeployment } from './support/ecps-deployment.ts';
import { trustingFetch } from './support/https.ts';
import { decodeQr } from './support/qr.ts';
import type { TestRelyingParty } from './support/relying-party.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import type { TestSystem } from './support/system.ts';

const HOSPITAL_DOCTOR = '899760000028';
const NURSE_RPPS = '899760000044';
const NURSE_ADELI = '0996001012';
const PHARMACIST = '899760000036';

for (const storeCase of storeCases()) {
  describe(`e-CPS portal: activation with a card, devices, "mot de passe oublié", ADELI → RPPS (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let deployment: EcpsDeployment;
    let browser: Browser;
    let rp: TestRelyingParty;
    let issuer: string;
    let portal: string;
    let outbox: string;
    let config: client.Configuration;
    let cliEnv: Record<string, string>;
    const cards: Record<string, { pfxPath: string; passphrase: string }> = {};
    const secret = 'secret-of-the-portal-test-relying-party-01';

    const messages = async (): Promise<OutboxMessage[]> =>
      (await (await fetch(`${outbox}/api/messages`)).json()) as OutboxMessage[];
    const newWallet = () => mkdtempSync(path.join(tmpdir(), 'caducee-portal-wallet-'));
    const wallet = (dir: string, ...args: string[]) => runCli(['wallet', ...args, '--wallet', dir], cliEnv);

    const withCard = (idnat: string): Promise<BrowserContext> =>
      browser.newContext({
        ignoreHTTPSErrors: true,
        locale: 'fr-FR',
        clientCertificates: [{ origin: test.system.settings.cardHost.url, ...cards[idnat]! }],
      });

    async function portalCardLogin(page: Page, idnat: string) {
      await page.goto(portal);
      await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      await page.waitForURL(`${portal}/compte`);
      assert.equal(await page.getByTestId('idnat').innerText(), idnat);
    }

    /**
     * Portal side of the card way, with the CLI as the phone: terms, QR code read from its
     * image, code shown by the app typed on the computer, password chosen on the phone.
     */
    async function activateWithCard(
      page: Page,
      walletDir: string,
      options: { wrongCodeFirst?: boolean } = {},
    ) {
      await page.getByRole('link', { name: 'Activer ma e-CPS sur un téléphone' }).click();
      await page.getByLabel("J'ai lu et j'accepte les conditions générales d'utilisation").check();
      await page.getByRole('button', { name: "Commencer l'activation" }).click();
      const link = decodeQr(await page.getByTestId('qr-activation').screenshot());
      assert.match(link, new RegExp(`^${issuer}/ecps/app/#activer=`));
      const phone = new CliSession(['wallet', 'activate', link, '--wallet', walletDir], cliEnv);
      await phone.waitFor(/Code à saisir sur le portail e-CPS de votre ordinateur : \d{6}/);
      const code = /portail e-CPS de votre ordinateur : (\d{6})/.exec(phone.stderr)![1]!;
      // The page notices the scan by itself and asks for the code.
      const field = page.getByLabel('Code affiché sur le téléphone');
      await field.waitFor();
      if (options.wrongCodeFirst) {
        await field.fill(code === '000000' ? '111111' : '000000');
        await page.getByRole('button', { name: 'Valider le code' }).click();
        await page.getByText('Il vous reste 2 essais').waitFor();
      }
      await page.getByLabel('Code affiché sur le téléphone').fill(code);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await phone.waitFor(/Choisissez votre mot de passe/);
      phone.answer('2468');
      phone.answer('2468');
      assert.equal(await phone.exitedWithin(30_000), 0, phone.stderr);
      assert.match(phone.stdout, /Votre e-CPS est active/);
      await page.getByTestId('activation-done').waitFor();
    }

    /** A browser with the professional's card, logged in on the portal, an e-CPS activated on `walletDir`. */
    async function withActivatedEcps(idnat: string, walletDir: string) {
      const context = await withCard(idnat);
      const page = await context.newPage();
      await portalCardLogin(page, idnat);
      await activateWithCard(page, walletDir);
      return { context, page };
    }

    const practiceLocations = (userinfo: Record<string, unknown>) =>
      (
        userinfo.SubjectRefPro as { exercices: Array<{ activities: Array<Record<string, unknown>> }> }
      ).exercices
        .flatMap((exercice) => exercice.activities)
        .filter((activity) => activity.identifiantTechniqueDeLaStructure)
        .map((activity) => activity.identifiantTechniqueDeLaStructure);

    /** Authorization request → "Application e-CPS" → approved by the CLI → tokens. */
    async function ecpsLogin(idnat: string, walletDir: string) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      const state = client.randomState();
      await page.goto(
        client.buildAuthorizationUrl(config, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
          acr_values: 'eidas1',
          state,
        }).href,
      );
      await page.getByLabel('Identifiant national (8 + RPPS ou 0 + ADELI)').fill(idnat);
      await page.getByRole('button', { name: "Se connecter avec l'application e-CPS" }).click();
      const code = (await page.getByTestId('code-dynamique').innerText()).trim();
      const approved = await wallet(walletDir, 'approve', '--pin', '2468', '--code', code);
      assert.equal(approved.code, 0, approved.stderr);
      await page.waitForURL(`${rp.redirectUri}**`);
      const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
        expectedState: state,
      });
      await context.close();
      return client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    }

    before(async () => {
      opened = await storeCase.open();
      deployment = await startEcpsDeployment(opened, { cardHost: true });
      ({ test, rp, issuer, outbox } = deployment);
      const { system } = test;
      const dir = mkdtempSync(path.join(tmpdir(), 'caducee-portal-cards-'));
      for (const idnat of [HOSPITAL_DOCTOR, NURSE_ADELI, PHARMACIST]) {
        const card = await (await system.cards()).issue(idnat, {
          pin: '4321',
          out: path.join(dir, `${idnat}.p12`),
        });
        cards[idnat] = { pfxPath: card.file, passphrase: '4321' };
      }
      await registerWebClient(system, {
        client_id: 'rp-portal',
        client_name: 'Lieux de test',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
      });
      portal = `${issuer}/ecps/portail`;
      config = await client.discovery(new URL(issuer), 'rp-portal', secret, undefined, {
        [client.customFetch]: trustingFetch((await system.tls()).caPem) as unknown as client.CustomFetch,
      });
      cliEnv = { CADUCEE_DATA_DIR: test.dataDir, CADUCEE_IDP_URL: issuer };
      browser = await launchChromium({ args: [trustServerKey((await system.tls()).fullChainPem)] });
    });

    after(async () => {
      await browser?.close();
      await deployment?.close();
      await opened?.dispose();
    });

    const doctorWallet = newWallet();

    it('activates with the card: QR code read from its image, the code shown by the app typed on the computer (wrong once), both screens say active', async () => {
      const context = await withCard(HOSPITAL_DOCTOR);
      const page = await context.newPage();
      await portalCardLogin(page, HOSPITAL_DOCTOR);
      await activateWithCard(page, doctorWallet, { wrongCodeFirst: true });
      const status = await wallet(doctorWallet, 'status', '--json');
      assert.equal(JSON.parse(status.stdout).status, 'active');
      assert.equal(JSON.parse(status.stdout).activationMode, 'card');

      // The portal lists the device, and the use once the e-CPS has served.
      await ecpsLogin(HOSPITAL_DOCTOR, doctorWallet);
      await page.goto(`${portal}/compte`);
      assert.equal(await page.getByTestId('device').count(), 1);
      assert.match(await page.getByTestId('device').innerText(), /active/);
      assert.match(await page.getByTestId('use').first().innerText(), /Lieux de test.*acceptée/s);

      // "Je me déconnecte de toutes les sessions": the provider session of that login ends.
      const ended = await wallet(doctorWallet, 'logout-all');
      assert.equal(ended.code, 0, ended.stderr);
      assert.match(ended.stdout, /Vous êtes déconnecté de 1 session\./);
      const again = await wallet(doctorWallet, 'logout-all', '--json');
      assert.equal(JSON.parse(again.stdout).sessions, 0);
      await context.close();
    });

    it('activates with the card with the PWA as the phone: QR code from the portal picture, code shown by the app typed on the portal', async () => {
      const computer = await withCard(PHARMACIST);
      const page = await computer.newPage();
      await portalCardLogin(page, PHARMACIST);
      await page.getByRole('link', { name: 'Activer ma e-CPS sur un téléphone' }).click();
      await page.getByLabel("J'ai lu et j'accepte les conditions générales d'utilisation").check();
      await page.getByRole('button', { name: "Commencer l'activation" }).click();
      const qr = await page.getByTestId('qr-activation').screenshot();

      const phoneContext = await browser.newContext({
        ignoreHTTPSErrors: true,
        locale: 'fr-FR',
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      const phone = await phoneContext.newPage();
      await phone.goto(`${issuer}/ecps/app/`);
      await phone.getByRole('button', { name: "Scanner un QR code d'activation" }).click();
      await phone.getByLabel('Choisir une image du QR code').setInputFiles({
        name: 'qr-portail.png',
        mimeType: 'image/png',
        buffer: qr,
      });
      const shown = (await phone.getByTestId('code-activation').innerText()).trim();
      assert.match(shown, /^\d{6}$/);
      await page.getByLabel('Code affiché sur le téléphone').fill(shown);
      await page.getByRole('button', { name: 'Valider le code' }).click();
      await phone.getByRole('heading', { level: 1, name: 'Choisissez votre mot de passe' }).waitFor();
      const typePin = async (pin: string) => {
        for (const digit of pin) await phone.getByRole('button', { name: digit, exact: true }).click();
      };
      await typePin('3579');
      await phone.getByRole('button', { name: 'Continuer' }).click();
      await phone.getByRole('heading', { level: 1, name: 'Confirmez votre mot de passe' }).waitFor();
      await typePin('3579');
      await phone.getByRole('button', { name: 'Valider', exact: true }).click();
      await phone.getByRole('heading', { level: 1, name: 'Votre e-CPS est active' }).waitFor();
      await page.getByTestId('activation-done').waitFor();
      await phoneContext.close();
      await computer.close();
    });

    it('renews the QR code: the previous one no longer activates anything', async () => {
      const context = await withCard(HOSPITAL_DOCTOR);
      const page = await context.newPage();
      await portalCardLogin(page, HOSPITAL_DOCTOR);
      await page.getByRole('link', { name: 'Activer ma e-CPS sur un téléphone' }).click();
      await page.getByLabel("J'ai lu et j'accepte les conditions générales d'utilisation").check();
      await page.getByRole('button', { name: "Commencer l'activation" }).click();
      const first = decodeQr(await page.getByTestId('qr-activation').screenshot());
      await page.getByRole('button', { name: 'Renouveler le QR code' }).click();
      const second = decodeQr(await page.getByTestId('qr-activation').screenshot());
      assert.notEqual(first, second);
      const stale = await wallet(newWallet(), 'activate', first);
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, /ECPS_ACTIVATION_INVALID/);
      await context.close();
    });

    it('refuses portal forms posted from another site or without the session token', async () => {
      const context = await withCard(HOSPITAL_DOCTOR);
      const page = await context.newPage();
      await portalCardLogin(page, HOSPITAL_DOCTOR);
      const crossSite = await page.request.post(`${portal}/activation`, {
        form: { cgu: 'oui' },
        headers: { origin: 'https://attaquant.example' },
      });
      assert.equal(crossSite.status(), 403);
      // A forged form on another page, submitted by the professional's own browser.
      const forged = await context.newPage();
      await forged.setContent(
        `<form method="post" action="${portal}/activation"><input name="cgu" value="oui"><button>Gagner un cadeau</button></form>`,
      );
      await forged.getByRole('button', { name: 'Gagner un cadeau' }).click();
      await forged.getByText('PORTAL_FORBIDDEN_REQUEST').waitFor();
      const noToken = await page.request.post(`${portal}/activation`, {
        form: { cgu: 'oui' },
        headers: { origin: new URL(issuer).origin },
      });
      assert.equal(noToken.status(), 403);
      assert.match(await noToken.text(), /PORTAL_FORBIDDEN_REQUEST/);
      await context.close();
    });

    it('the portal session is a new id at every login, in a Secure, HttpOnly, SameSite=Strict cookie for the portal only', async () => {
      const context = await withCard(HOSPITAL_DOCTOR);
      // Session fixation: a value planted before the login (by a sibling subdomain, a shared
      // computer) must not become the session.
      const planted = 'planted-session-id-0123456789abcdefghijklmnop';
      await context.addCookies([
        {
          name: 'caducee_portail',
          value: planted,
          domain: 'localhost',
          path: '/ecps/portail',
          secure: true,
          httpOnly: true,
          sameSite: 'Strict',
        },
      ]);
      const page = await context.newPage();
      await portalCardLogin(page, HOSPITAL_DOCTOR);
      const cookies = (await context.cookies(portal)).filter((cookie) => cookie.name === 'caducee_portail');
      assert.equal(cookies.length, 1);
      const [cookie] = cookies;
      assert.notEqual(cookie!.value, planted);
      assert.deepEqual(
        [cookie!.secure, cookie!.httpOnly, cookie!.sameSite, cookie!.path],
        [true, true, 'Strict', '/ecps/portail'],
      );
      const fetchTrusted = trustingFetch((await test.system.tls()).caPem);
      const withPlanted = await fetchTrusted(`${portal}/compte`, {
        headers: { cookie: `caducee_portail=${planted}` },
      });
      assert.equal(withPlanted.status, 401);
      await context.close();
    });

    it('removes a lost phone from the portal: its signed calls are refused and the sessions opened with the e-CPS end', async () => {
      const lost = newWallet();
      const { context, page } = await withActivatedEcps(HOSPITAL_DOCTOR, lost);
      const lostId = JSON.parse((await wallet(lost, 'status', '--json')).stdout).deviceId as string;
      // A login approved on the lost phone, still open at the provider.
      await ecpsLogin(HOSPITAL_DOCTOR, lost);
      await page.goto(`${portal}/compte`);
      assert.equal(await page.getByTestId('device').count(), 2);
      await page.locator(`form[action$="/appareils/${lostId}/supprimer"]`).getByRole('button').click();
      await page.getByText('La e-CPS de cet appareil est supprimée.').waitFor();
      assert.equal(await page.getByTestId('device').count(), 1, 'only the other phone is left');
      const [removed] = await test.system.audit.list({ type: 'ecps.deactivate', limit: 1 });
      assert.deepEqual(
        [removed?.outcome, removed?.actor, removed?.subject, removed?.method, removed?.details],
        ['success', HOSPITAL_DOCTOR, lostId, 'portal-card', { sessions: 1 }],
      );
      assert.match(removed?.ip ?? '', /^(127\.0\.0\.1|::1)$/);
      // Nothing is left to end: the removal ended the provider session of that login.
      const remaining = await wallet(doctorWallet, 'logout-all', '--json');
      assert.equal(JSON.parse(remaining.stdout).sessions, 0);
      const refused = await wallet(lost, 'logout-all');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /ECPS_NOT_ACTIVATED/);
      await context.close();
    });

    it('"mot de passe oublié" by e-mail and SMS removes the e-CPS and ends the sessions opened with it (wrong SMS code refused once)', async () => {
      // A login made with the e-CPS, still open at the provider when the e-CPS is removed.
      const loggedIn = await ecpsLogin(HOSPITAL_DOCTOR, doctorWallet);
      assert.equal(loggedIn.preferred_username, HOSPITAL_DOCTOR);
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.goto(`${portal}/oubli`);
      await page.getByLabel('Identifiant national (8 + RPPS ou 0 + ADELI)').fill(HOSPITAL_DOCTOR);
      await page.getByRole('button', { name: 'Recevoir un e-mail de vérification' }).click();
      await page.getByText("un e-mail vient d'être envoyé", { exact: false }).waitFor();
      // The e-mail leaves after the answer (the time taken must not tell who exists).
      let mail: OutboxMessage | undefined;
      for (let i = 0; i < 100 && !mail; i++) {
        mail = (await messages()).find(
          (m) => m.kind === 'mail' && m.subject === 'e-CPS : mot de passe oublié',
        );
        if (!mail) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(mail, 'recovery e-mail sent');
      const link = /(https:\S+oubli\/verifier\?jeton=[\w-]+)/.exec(mail.text)![1]!;
      await page.goto(link);
      await page.getByRole('button', { name: 'Recevoir le code par SMS' }).click();
      const sms = (await messages()).find((m) => m.kind === 'sms' && /vérification e-CPS/.test(m.text));
      assert.ok(sms, 'recovery SMS sent');
      const code = /(\d{6})/.exec(sms.text)![1]!;
      await page.getByLabel('Code reçu par SMS').fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.getByText('Il vous reste 2 essais').waitFor();
      await page.getByLabel('Code reçu par SMS').fill(code);
      await page.getByRole('button', { name: 'Valider' }).click();
      await page.getByText('Votre e-CPS est installée sur 1 appareil').waitFor();
      await page.getByRole('button', { name: 'Supprimer ma e-CPS' }).click();
      await page.getByText('Votre e-CPS est supprimée').waitFor();
      const [reset] = await test.system.audit.list({ type: 'ecps.reset', limit: 1 });
      assert.deepEqual(reset?.details, { removed: 1, sessions: 1 });
      // The link served once; the phone's e-CPS no longer receives logins.
      await page.goto(link);
      await page.getByRole('button', { name: 'Recevoir le code par SMS' }).click();
      await page.getByText('ECPS_RECOVERY_INVALID').waitFor();
      const status = await wallet(doctorWallet, 'status', '--json');
      assert.equal(JSON.parse(status.stdout).status, 'revoked');
      await context.close();
    });

    it('"mot de passe oublié" with the card removes the e-CPS, which can then be activated again', async () => {
      const again = newWallet();
      const { context, page } = await withActivatedEcps(HOSPITAL_DOCTOR, again);
      await page.goto(`${portal}/oubli`);
      await page.getByRole('link', { name: 'Me connecter avec ma carte CPS' }).click();
      await page.waitForURL(`${portal}/oubli/confirmer`);
      await page.getByRole('button', { name: 'Supprimer ma e-CPS' }).click();
      await page.getByText('Votre e-CPS est supprimée').waitFor();
      const refused = await wallet(again, 'approve', '--pin', '2468', '--timeout', '1');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /ECPS_NOT_ACTIVATED/);
      await context.close();
    });

    it('switches from an ADELI-based e-CPS to the RPPS-based one: the relying party then receives practice locations', async () => {
      // The ADELI identity can only activate with its card.
      const refused = await wallet(newWallet(), 'request-activation', NURSE_ADELI);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /ECPS_ADELI_NEEDS_CARD/);
      const adeliWallet = newWallet();
      const { context } = await withActivatedEcps(NURSE_ADELI, adeliWallet);
      await context.close();
      const adeli = await ecpsLogin(NURSE_ADELI, adeliWallet);
      assert.equal(adeli.preferred_username, NURSE_ADELI);
      // PSC keeps one empty activity per exercice; a practice location has a structure.
      assert.deepEqual(practiceLocations(adeli), [], 'an ADELI identity carries no practice location');

      const deactivated = await wallet(adeliWallet, 'deactivate');
      assert.equal(deactivated.code, 0, deactivated.stderr);
      const rppsWallet = newWallet();
      const requested = await wallet(rppsWallet, 'request-activation', NURSE_RPPS);
      assert.equal(requested.code, 0, requested.stderr);
      const mail = (await messages()).find(
        (m) => m.kind === 'mail' && m.subject === 'Activation de votre e-CPS',
      );
      const png = Buffer.from(
        await (await fetch(`${outbox}/api/messages/${mail!.id}/attachments/0`)).arrayBuffer(),
      );
      const phone = new CliSession(['wallet', 'activate', decodeQr(png), '--wallet', rppsWallet], cliEnv);
      await phone.waitFor(/Code reçu par SMS :/);
      const sms = (await messages()).find((m) => m.kind === 'sms' && /code d'activation e-CPS/.test(m.text));
      phone.answer(/(\d{6})/.exec(sms!.text)![1]!);
      await phone.waitFor(/Choisissez votre mot de passe/);
      phone.answer('2468');
      phone.answer('2468');
      assert.equal(await phone.exitedWithin(30_000), 0, phone.stderr);
      const rpps = await ecpsLogin(NURSE_RPPS, rppsWallet);
      assert.equal(rpps.preferred_username, NURSE_RPPS);
      assert.ok(practiceLocations(rpps).length > 0, 'the RPPS identity carries its practice location');
    });
  });
}
