import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './support/browser.ts';
import { trustingFetch } from './support/https.ts';
import { freePort } from './support/system.ts';

const BIN = fileURLToPath(new URL('../bin/caducee.js', import.meta.url));

describe('caducee start (what npm start runs)', () => {
  it('loads the demo directory and cards on an empty data directory, serves them, prints URLs and PINs, stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'caducee-start-'));
    const port = await freePort();
    const cardHostPort = await freePort();
    const outboxPort = await freePort();
    const catcherPort = await freePort();
    const lieuxPort = await freePort();
    const espaceMedecinPort = await freePort();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('CADUCEE_')),
    );
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        ...env,
        CADUCEE_DATA_DIR: dataDir,
        CADUCEE_IDP_URL: `https://localhost:${port}`,
        CADUCEE_CARD_HOST_URL: `https://localhost:${cardHostPort}`,
        CADUCEE_OUTBOX_URL: `http://localhost:${outboxPort}`,
        CADUCEE_MESSAGING_CATCHER_PORT: String(catcherPort),
        CADUCEE_LIEUX_URL: `http://localhost:${lieuxPort}`,
        CADUCEE_ESPACE_MEDECIN_URL: `http://localhost:${espaceMedecinPort}`,
        CADUCEE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner in time:\n${output}`)), 120_000);
        child.stdout.on('data', () => {
          if (output.includes('Ctrl+C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      assert.match(output, /Annuaire de démonstration chargé : 35 professionnels/);
      assert.match(output, new RegExp(`https://localhost:${port}/carte-cps`));
      assert.match(output, new RegExp(`https://localhost:${cardHostPort}/`));
      assert.match(output, /Cartes CPS de démonstration \(34,/);
      assert.match(output, new RegExp(`Messages envoyés .* http://localhost:${outboxPort}`));
      assert.match(output, /npx caducee wallet request-activation 899760000010/);
      assert.match(output, new RegExp(`Application e-CPS \\(PWA\\) +https://localhost:${port}/ecps/app/`));
      assert.match(output, new RegExp(`Portail e-CPS +https://localhost:${port}/ecps/portail`));
      assert.match(output, /899760000010 {2}code \d{4} {2}Docteur Claire MARTIN/);
      assert.ok(existsSync(path.join(dataDir, 'cards', '899760000010.p12')));
      const fetch = trustingFetch(readFileSync(path.join(dataDir, 'pki', 'root-ca.pem'), 'utf8'));
      const response = await fetch(
        `https://localhost:${port}/api/directory/persons?profession=10&postcode=75`,
      );
      assert.equal(response.status, 200);
      const { results } = (await response.json()) as { results: Array<{ nomExercice: string }> };
      assert.ok(results.some((r) => r.nomExercice === 'MARTIN'));
      assert.match(output, new RegExp(`Lieux d'exercice +http://localhost:${lieuxPort}/`));
      const lieuxPage = await fetch(`http://localhost:${lieuxPort}/`);
      assert.match(await lieuxPage.text(), /Se connecter avec Pro Santé Connect/);
      assert.match(output, new RegExp(`Espace médecin +http://localhost:${espaceMedecinPort}/`));
      const espaceMedecinPage = await fetch(`http://localhost:${espaceMedecinPort}/connexion`);
      assert.match(await espaceMedecinPage.text(), /Se connecter par CPS/);
      assert.ok(existsSync(path.join(dataDir, 'espace-medecin.sqlite')), 'its own database');
      const cardHostPage = await fetch(`https://localhost:${cardHostPort}/`);
      assert.match(await cardHostPage.text(), /Carte non lue/);

      // The printed card and PIN log in to the demo relying party, in a real browser.
      const pin = /899760000010 {2}code (\d{4})/.exec(output)?.[1];
      assert.match(output, /Client de démonstration : client_id caducee-demo, client_secret \S+/);
      const browser = await launchChromium();
      try {
        const context = await browser.newContext({
          ignoreHTTPSErrors: true,
          clientCertificates: [
            {
              origin: `https://localhost:${cardHostPort}`,
              pfxPath: path.join(dataDir, 'cards', '899760000010.p12'),
              passphrase: pin!,
            },
          ],
        });
        const page = await context.newPage();
        await page.goto(`https://localhost:${port}/demo`);
        await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
        await page.getByRole('link', { name: 'Se connecter avec ma carte CPS' }).click();
        await page.waitForURL(`https://localhost:${port}/demo/callback**`);
        assert.match(await page.getByRole('status').innerText(), /Bonjour Claire MARTIN \(899760000010\)/);
        assert.match(await page.locator('main').innerText(), /"SubjectRefPro"/);
      } finally {
        await browser.close();
      }
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
