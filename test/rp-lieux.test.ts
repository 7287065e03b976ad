import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCardHostServer, startIdpServer, startLieuxServer } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import { createLogger } from '../src/platform/index.ts';
import { accessibilityViolations } from './support/accessibility.ts';
import { launchChromium } from './support/browser.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, type TestSystem, testSystem } from './support/system.ts';

const GP = '899760000010';
const NURSE_RPPS = '899760000044';
const NURSE_ADELI = '0996001012';

for (const storeCase of storeCases().slice(0, 1)) {
  describe(`lieux d'exercice relying party (Santé.fr-like), in Chromium (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let servers: Array<{ close(): Promise<void> }> = [];
    let browser: Browser;
    let lieux: string;
    const cards: Record<string, { pfxPath: string; passphrase: string }> = {};

    const withCard = (idnat: string): Promise<BrowserContext> =>
      browser.newContext({
        ignoreHTTPSErrors: true,
        locale: 'fr-FR',
        clientCertificates: [{ origin: test.system.settings.cardHost.url, ...cards[idnat]! }],
      });

    /** The app's page → Pro Santé Connect → "Carte CPS" → back on the app's page. */
    async function cardLogin(page: Page) {
      await page.goto(`${lieux}/`);
      await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
      await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
      await page.waitForURL(`${lieux}/`);
    }

    before(async () => {
      opened = await storeCase.open();
      const lieuxPort = await freePort();
      test = await testSystem(opened, { lieux: { url: `http://localhost:${lieuxPort}` } });
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const dir = mkdtempSync(path.join(tmpdir(), 'caducee-lieux-cards-'));
      for (const idnat of [GP, NURSE_RPPS, NURSE_ADELI]) {
        const card = await (await system.cards()).issue(idnat, {
          pin: '1470',
          out: path.join(dir, `${idnat}.p12`),
        });
        cards[idnat] = { pfxPath: card.file, passphrase: '1470' };
      }
      const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
      servers = [
        await startIdpServer(system, log, test.ports.idp),
        await startCardHostServer(system, log, test.ports.cardHost),
        await startLieuxServer(system, log, lieuxPort),
      ];
      lieux = system.settings.lieux.url;
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      for (const server of servers) await server.close();
      test?.dispose();
      await opened?.dispose();
    });

    it('lists the practice locations of an RPPS identity, from the claims', async () => {
      const context = await withCard(GP);
      const page = await context.newPage();
      await cardLogin(page);
      assert.equal(await page.getByTestId('idnat').innerText(), GP);
      const places = await page.getByTestId('lieu').allInnerTexts();
      assert.ok(places.length >= 2, 'group practice and secondary cabinet');
      assert.ok(places.every((place) => /Médecin/.test(place)));
      assert.equal(await page.getByTestId('absence').count(), 0);
      assert.deepEqual(await accessibilityViolations(page), []);
      await context.close();
    });

    it('shows "Absence de lieu d\'exercice" and the steps to an RPPS-based e-CPS for an ADELI identity; the RPPS identity of the same nurse has her cabinet', async () => {
      const adeli = await withCard(NURSE_ADELI);
      const page = await adeli.newPage();
      await cardLogin(page);
      assert.equal(await page.getByTestId('idnat').innerText(), NURSE_ADELI);
      assert.equal(await page.getByTestId('lieu').count(), 0);
      assert.match(
        await page.getByTestId('absence').innerText(),
        /Absence de lieu d'exercice[\s\S]*identifiant ADELI/,
      );
      await page.getByText('8 suivi de votre numéro RPPS', { exact: false }).waitFor();
      assert.deepEqual(await accessibilityViolations(page), []);
      await adeli.close();

      const rpps = await withCard(NURSE_RPPS);
      const rppsPage = await rpps.newPage();
      await cardLogin(rppsPage);
      const places = await rppsPage.getByTestId('lieu').allInnerTexts();
      assert.equal(places.length, 1);
      assert.match(places[0]!, /CABINET INFIRMIER DES CHARTRONS[\s\S]*33000 BORDEAUX/);
      await rpps.close();
    });

    it('logs out of the app and of the provider (RP-initiated logout): the next visit asks to log in again', async () => {
      const context = await withCard(GP);
      const page = await context.newPage();
      await cardLogin(page);
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      // The provider asks to confirm, then comes back to the app.
      await page.getByRole('button', { name: 'Me déconnecter' }).click();
      await page.waitForURL(`${lieux}/`);
      await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).waitFor();
      // No provider session left: the login page is shown again, not a silent login.
      await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
      await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).waitFor();
      await context.close();
    });

    it('refuses a logout posted without the session form token', async () => {
      const context = await withCard(GP);
      const page = await context.newPage();
      await cardLogin(page);
      const forged = await page.request.post(`${lieux}/deconnexion`, {
        form: { csrf: 'devine' },
        maxRedirects: 0,
      });
      assert.equal(forged.status(), 303);
      assert.equal(forged.headers().location, '/');
      await page.goto(`${lieux}/`);
      assert.equal(await page.getByTestId('idnat').innerText(), GP, 'still logged in');
      await context.close();
    });
  });
}
