import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { createCards } from '../src/cards/index.ts';
import { startCardHostServer, startIdpServer } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import { ensureHierarchy } from '../src/pki/index.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import { launchChromium } from './support/browser.ts';
import { trustingFetch } from './support/https.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const PHARMACIST = '899760000036';
const NURSE = '899760000044';

for (const storeCase of storeCases()) {
  describe(`card host in Chromium (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let servers: RunningServer[] = [];
    let browser: Browser;
    let idp: string;
    let cardHost: string;
    const cardFiles: Record<string, { pfxPath: string; passphrase: string }> = {};
    let gpSerial: string;
    const dir = mkdtempSync(path.join(tmpdir(), 'caducee-cards-'));

    const contextWith = (card?: keyof typeof cardFiles): Promise<BrowserContext> =>
      browser.newContext({
        ignoreHTTPSErrors: true,
        locale: 'fr-FR',
        clientCertificates: card ? [{ origin: cardHost, ...cardFiles[card]! }] : [],
      });

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened);
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const cards = await system.cards();
      const issue = async (
        name: string,
        idnat: string,
        pin: string,
        options: { validDays?: number } = {},
      ) => {
        const card = await cards.issue(idnat, { pin, out: path.join(dir, `${name}.p12`), ...options });
        cardFiles[name] = { pfxPath: card.file, passphrase: pin };
        return card;
      };
      gpSerial = (await issue('gp', GP, '1234')).serial;
      await issue('pharmacist', PHARMACIST, '4321');
      // Issued four years ago for one year: expired today.
      const past = createCards({
        ...system,
        store: opened.store,
        hierarchy: cards.hierarchy,
        clock: () => new Date(Date.now() - 4 * 365 * 86_400_000),
      });
      const expired = await past.issue(NURSE, {
        pin: '1111',
        validDays: 365,
        out: path.join(dir, 'expired.p12'),
      });
      cardFiles.expired = { pfxPath: expired.file, passphrase: '1111' };
      // Same profile, but from another PKI: not an IGC-Santé card for this deployment.
      const foreignDir = mkdtempSync(path.join(tmpdir(), 'caducee-foreign-'));
      const { hierarchy: foreign } = await ensureHierarchy(foreignDir, 'https://foreign.invalid');
      const foreignCards = createCards({ ...system, store: opened.store, hierarchy: foreign });
      const foreignCard = await foreignCards.issue(GP, { pin: '2222', out: path.join(dir, 'foreign.p12') });
      cardFiles.foreign = { pfxPath: foreignCard.file, passphrase: '2222' };
      // A card of a professional who then left the directory.
      const leaver = await issue('leaver', '899760000333', '3333');
      await opened.store.db
        .updateTable('directory_person')
        .set({ active: 0 })
        .where('idnat', '=', leaver.idnat)
        .execute();

      const log = createLogger('silent');
      servers = [
        await startIdpServer(system, log, test.ports.idp),
        await startCardHostServer(system, log, test.ports.cardHost),
      ];
      idp = system.settings.idp.url;
      cardHost = system.settings.cardHost.url;
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await Promise.all(servers.map((server) => server.close()));
      test?.dispose();
      await opened?.dispose();
    });

    it('reads a valid card on "Tester ma carte" and logs the holder in on the main origin', async () => {
      const context = await contextWith('gp');
      const page = await context.newPage();
      await page.goto(`${cardHost}/`);
      await assert.doesNotReject(page.getByText('Carte lue.').waitFor());
      assert.match(
        await page.locator('main').innerText(),
        new RegExp(`Identifiant national\\s+${GP}[\\s\\S]*Profession\\s+Médecin`),
      );

      await page.goto(`${idp}/carte-cps`);
      await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      await page.waitForURL(`${idp}/carte-cps/retour?**`);
      assert.equal(
        await page.getByRole('heading', { level: 1 }).innerText(),
        'Vous êtes connecté avec votre carte CPS',
      );
      assert.equal(await page.getByTestId('idnat').innerText(), GP);
      // Who logged in, with which card, from where: what an investigation starts from.
      const logins = await test.system.audit.list({ type: 'card.login' });
      const successes = logins.filter((event) => event.outcome === 'success');
      assert.equal(successes.length, 1);
      const [login] = successes;
      assert.deepEqual([login!.actor, login!.subject, login!.method], [GP, gpSerial, 'card']);
      assert.match(login!.ip ?? '', /^(127\.0\.0\.1|::1)$/);

      // The same assertion cannot be used twice.
      await page.reload();
      assert.match(await page.getByRole('alert').innerText(), /déjà été utilisée/);
      await context.close();
    });

    it('binds the login to the browser with a cookie scripts and other sites cannot use', async () => {
      const fetchTrusted = trustingFetch((await test.system.tls()).caPem);
      const response = await fetchTrusted(`${idp}/carte-cps/demarrer`, { redirect: 'manual' });
      assert.equal(response.status, 303);
      const [cookie] = response.headers.getSetCookie().filter((c) => c.startsWith('caducee_card_rid='));
      assert.ok(cookie, 'request-id cookie set');
      const attributes = cookie.split(/;\s*/).slice(1);
      for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Path=/carte-cps'])
        assert.ok(attributes.includes(attribute), `${attribute} in ${cookie}`);
      // Short-lived: a session cookie would keep the login request alive as long as the browser.
      assert.ok(
        attributes.some((attribute) => /^Max-Age=\d+$/.test(attribute)),
        cookie,
      );
    });

    it('says "carte non lue" with what to do when no card is presented', async () => {
      const context = await contextWith();
      const page = await context.newPage();
      const response = await page.goto(`${cardHost}/`);
      assert.equal(response?.status(), 401);
      assert.match(
        await page.getByRole('alert').innerText(),
        /Carte non lue\.\s+Aucune carte CPS n'a été présentée\./,
      );
      assert.match(await page.locator('main').innerText(), /lecteur est branché/);
      await context.close();
    });

    it('refuses expired, foreign-CA and unknown-person cards, each with its own message', async () => {
      const expectations: Array<[string, RegExp]> = [
        ['expired', /Votre carte CPS a expiré le/],
        ['foreign', /n'a pas été émis par l'autorité de certification des cartes CPS/],
        [
          'leaver',
          /Aucun professionnel actif de l'annuaire ne correspond à la carte \(identifiant 899760000333\)/,
        ],
      ];
      for (const [card, message] of expectations) {
        const context = await contextWith(card);
        const page = await context.newPage();
        await page.goto(`${idp}/carte-cps/demarrer`);
        assert.match(await page.getByRole('alert').innerText(), message, card);
        assert.ok(await page.getByRole('link', { name: 'Tester ma carte' }).isVisible());
        await context.close();
      }
      const events = await test.system.audit.list({ type: 'card.login' });
      const codes = events.filter((e) => e.outcome === 'failure').map((e) => e.details?.code);
      for (const code of ['CARD_EXPIRED', 'CARD_UNKNOWN_ISSUER', 'CARD_UNKNOWN_PERSON'])
        assert.ok(codes.includes(code), code);
    });

    it('refuses a card as soon as it is revoked, without restarting anything, and publishes it in the CRL', async () => {
      const context = await contextWith('pharmacist');
      const page = await context.newPage();
      await page.goto(`${cardHost}/`);
      await page.getByText('Carte lue.').waitFor();
      const cards = await test.system.cards();
      const [revoked] = await cards.revoke(PHARMACIST);
      // A new connection, as a new card reading would make.
      const again = await contextWith('pharmacist');
      const secondPage = await again.newPage();
      await secondPage.goto(`${cardHost}/`);
      assert.match(await secondPage.getByRole('alert').innerText(), /mise en opposition/);
      const fetchTrusted = trustingFetch((await test.system.tls()).caPem);
      const crl = Buffer.from(await (await fetchTrusted(`${cardHost}/crl/persons-ca.crl`)).arrayBuffer());
      const { x509 } = await import('../src/pki/index.ts');
      const parsed = new x509.X509Crl(crl);
      assert.ok(parsed.entries.some((entry) => entry.serialNumber.toLowerCase() === revoked?.serial));
      assert.ok(await parsed.verify({ publicKey: cards.hierarchy.persons.certificate.publicKey }));
      await context.close();
      await again.close();
    });
  });
}
