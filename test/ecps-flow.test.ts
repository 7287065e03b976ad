import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import type { OutboxMessage } from '../src/messaging/index.ts';
import { launchChromium } from './support/browser.ts';
import { runCli } from './support/cli.ts';
import { CliSession } from './support/cli-session.ts';
import { registerCibaClient, registerWebClient } from './support/clients.ts';
import { type EcpsDeployment, startEcpsDeployment } from './support/ecps-deployment.ts';
import { trustingFetch } from './support/https.ts';
import { decodeQr } from './support/qr.ts';
import type { TestRelyingParty } from './support/relying-party.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import type { TestSystem } from './support/system.ts';

const GP = '899760000010';
const GP_EMAIL = 'claire.martin@demo.caducee.test';

for (const storeCase of storeCases()) {
  describe(`e-CPS: activation without a card and login, with the CLI app (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let deployment: EcpsDeployment;
    let browser: Browser;
    let rp: TestRelyingParty;
    let issuer: string;
    let outbox: string;
    let config: client.Configuration;
    let cliEnv: Record<string, string>;
    const walletDir = mkdtempSync(path.join(tmpdir(), 'caducee-wallet-'));
    const secret = 'secret-of-the-e-cps-test-relying-party-0123';

    const messages = async (): Promise<OutboxMessage[]> =>
      (await (await fetch(`${outbox}/api/messages`)).json()) as OutboxMessage[];
    const wallet = (...args: string[]) => runCli(['wallet', ...args, '--wallet', walletDir], cliEnv);

    /** Authorization request → "Application e-CPS" → identifier, submitted. */
    async function submitIdentifier(page: Page, state: string) {
      await page.goto(
        client.buildAuthorizationUrl(config, {
          redirect_uri: rp.redirectUri,
          scope: 'openid scope_all',
          acr_values: 'eidas1',
          state,
        }).href,
      );
      await page.getByLabel('Identifiant national (8 + RPPS ou 0 + ADELI)').fill(GP);
      await page.getByRole('button', { name: "Se connecter avec l'application e-CPS" }).click();
    }

    /** …then the waiting page: the code shown. */
    async function startEcpsLogin(page: Page, state: string) {
      await submitIdentifier(page, state);
      return (await page.getByTestId('code-dynamique').innerText()).trim();
    }

    before(async () => {
      opened = await storeCase.open();
      deployment = await startEcpsDeployment(opened);
      ({ test, rp, issuer, outbox } = deployment);
      const { system } = test;
      await registerWebClient(system, {
        client_id: 'rp-ecps',
        client_name: 'Espace de test',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
      });
      await registerCibaClient(system, {
        client_id: 'rp-ciba',
        client_name: 'Service CIBA de test',
        client_secret: secret,
        redirect_uris: [rp.redirectUri],
      });
      config = await client.discovery(new URL(issuer), 'rp-ecps', secret, undefined, {
        [client.customFetch]: trustingFetch((await system.tls()).caPem) as unknown as client.CustomFetch,
      });
      cliEnv = { CADUCEE_DATA_DIR: test.dataDir, CADUCEE_IDP_URL: issuer };
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await deployment?.close();
      await opened?.dispose();
    });

    it('activates by e-mail (QR code decoded from its image) and SMS code, refusing a wrong code and a weak password', async () => {
      const requested = await wallet('request-activation', GP);
      assert.equal(requested.code, 0, requested.stderr);
      assert.match(requested.stdout, /E-mail de correspondance : c\*+n@d\*+o\.caducee\.test/);
      assert.match(requested.stdout, /Mobile de correspondance : 06 \*\* \*\* \*\* 01/);

      const [mail] = await messages();
      assert.equal(mail?.kind, 'mail');
      assert.equal(mail?.to, GP_EMAIL);
      assert.equal(mail?.subject, 'Activation de votre e-CPS');
      const png = Buffer.from(
        await (await fetch(`${outbox}/api/messages/${mail!.id}/attachments/0`)).arrayBuffer(),
      );
      const link = decodeQr(png);
      assert.match(link, new RegExp(`^${issuer}/ecps/app/#activer=`));
      assert.ok(mail!.text.includes(link), 'the same link is in the text');

      const session = new CliSession(['wallet', 'activate', link, '--wallet', walletDir], cliEnv);
      await session.waitFor(/Code reçu par SMS :/);
      const sms = (await messages()).find((m) => m.kind === 'sms');
      assert.equal(sms?.to, '0639980001');
      const code = /(\d{6})/.exec(sms!.text)![1]!;
      session.answer(code === '000000' ? '111111' : '000000');
      await session.waitFor(/Il vous reste 2 essais/);
      session.answer(code);
      await session.waitFor(/Choisissez votre mot de passe/);
      session.answer('1234');
      session.answer('1234');
      await session.waitFor(/trop simple/);
      session.answer('1357');
      session.answer('1357');
      assert.equal(await session.exitedWithin(30_000), 0, session.stderr);
      assert.match(session.stdout, /Votre e-CPS est active/);
      const status = await wallet('status', '--json');
      assert.equal(JSON.parse(status.stdout).status, 'active');
      const [activated] = await test.system.audit.list({ type: 'ecps.activation', limit: 1 });
      assert.deepEqual(
        [activated?.outcome, activated?.actor, activated?.subject, activated?.method],
        ['success', GP, JSON.parse(status.stdout).deviceId, 'mail_sms'],
      );
      const tested = await wallet('test', '--pin', '1357');
      assert.equal(tested.code, 0, tested.stderr);
      assert.match(tested.stdout, /Bravo ! Votre e-CPS fonctionne\./);
      // The link served once.
      const again = await runCli(
        ['wallet', 'activate', link, '--wallet', mkdtempSync(path.join(tmpdir(), 'caducee-wallet2-'))],
        cliEnv,
      );
      assert.equal(again.code, 1);
      assert.match(again.stderr, /ECPS_ACTIVATION_INVALID/);
    });

    it('logs in to a relying party when the code shown on the page is picked and the password given', async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      const state = client.randomState();
      const code = await startEcpsLogin(page, state);
      assert.match(code, /^\d{2}$/);
      const approved = await wallet('approve', '--pin', '1357', '--code', code);
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stderr, new RegExp(`Codes proposés : .*${code}`));
      await page.waitForURL(`${rp.redirectUri}**`);
      const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
        expectedState: state,
      });
      const idToken = tokens.claims()!;
      assert.deepEqual(idToken.amr, ['mfa', 'hwk', 'pin']);
      assert.equal(idToken.acr, 'eidas1');
      assert.equal(idToken.preferred_username, GP);
      // The approval names the login request it answered and the phone's address.
      const [approval] = await test.system.audit.list({ type: 'ecps.approve', limit: 1 });
      assert.deepEqual([approval?.outcome, approval?.actor, approval?.method], ['success', GP, 'ecps']);
      assert.match(approval?.ip ?? '', /^(127\.0\.0\.1|::1)$/);
      const request = await test.system.ecps().requestStatus(approval!.subject!);
      assert.deepEqual(
        [request?.status, request?.client_name, request?.idnat],
        ['approved', 'Espace de test', GP],
      );
      await context.close();
    });

    it('cancels the request when the wrong code is picked, and says so on the page', async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      const code = await startEcpsLogin(page, client.randomState());
      const wrong = code === '42' ? '43' : '42';
      const refused = await wallet('approve', '--pin', '1357', '--code', wrong);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /ECPS_WRONG_CODE/);
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').innerText(), /annulée/);
      await context.close();
    });

    it('logs in by CIBA: the app shows the binding message, no code, and approves; a refusal reaches the client', async () => {
      const cibaConfig = await client.discovery(new URL(issuer), 'rp-ciba', secret, undefined, {
        [client.customFetch]: trustingFetch((await test.system.tls()).caPem) as unknown as client.CustomFetch,
      });
      const started = await client.initiateBackchannelAuthentication(cibaConfig, {
        scope: 'openid scope_all',
        login_hint: GP,
        binding_message: 'Connexion DMP 4821',
        acr_values: 'eidas1',
      });
      assert.ok(started.auth_req_id);
      assert.equal(started.expires_in, 120);
      const approving = wallet('approve', '--pin', '1357');
      const tokens = await client.pollBackchannelAuthenticationGrant(cibaConfig, started);
      const approved = await approving;
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(
        approved.stderr,
        /Demande de connexion à Service CIBA de test\nMessage : Connexion DMP 4821/,
      );
      assert.doesNotMatch(approved.stderr, /Codes proposés/);
      const idToken = tokens.claims()!;
      assert.equal(idToken.preferred_username, GP);
      assert.deepEqual(idToken.amr, ['mfa', 'hwk', 'pin']);

      const refused = await client.initiateBackchannelAuthentication(cibaConfig, {
        scope: 'openid',
        login_hint: GP,
        binding_message: 'Refus',
      });
      const denying = wallet('approve', '--deny', '--report');
      await assert.rejects(
        client.pollBackchannelAuthenticationGrant(cibaConfig, refused),
        (error: unknown) => {
          assert.equal((error as { error?: string }).error, 'access_denied');
          return true;
        },
      );
      const denied = await denying;
      assert.equal(denied.code, 0, denied.stderr);
      // "Ce n'était pas moi": the professional is told by e-mail what to do.
      assert.match(denied.stdout, /Demande refusée et signalée\./);
      assert.ok((await messages()).some((m) => m.subject === 'e-CPS : demande de connexion signalée'));

      // Nobody to ask: a professional without an active e-CPS is unknown to CIBA, not a crash.
      await assert.rejects(
        client.initiateBackchannelAuthentication(cibaConfig, { scope: 'openid', login_hint: '899760000036' }),
        (error: unknown) => {
          assert.equal((error as { error?: string }).error, 'unknown_user_id');
          return true;
        },
      );
    });

    it('refuses a replayed app call', async () => {
      const { WalletClient } = await import('../src/wallet/index.ts');
      const { readFileSync } = await import('node:fs');
      const state = JSON.parse(readFileSync(path.join(walletDir, 'wallet.json'), 'utf8'));
      const fetchTrusted = trustingFetch((await test.system.tls()).caPem);
      let recorded:
        | { url: string; init: { method: string; headers: Record<string, string>; body?: string } }
        | undefined;
      const recording = new WalletClient(state, async (url, init) => {
        recorded = { url, init };
        return fetchTrusted(url, init as never) as never;
      });
      await recording.status();
      const replay = await fetchTrusted(recorded!.url, recorded!.init as never);
      assert.equal(replay.status, 401);
      assert.match((await replay.json()).error.message, /appel rejoué/);
    });

    it('blocks the e-CPS after three wrong passwords in a row', async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      const code = await startEcpsLogin(page, client.randomState());
      const first = await wallet('approve', '--pin', '2468', '--code', code);
      assert.match(first.stderr, /ECPS_WRONG_PIN.*2 essais/s);
      const second = await wallet('approve', '--pin', '2468', '--code', code);
      assert.match(second.stderr, /ECPS_WRONG_PIN.*1 essai /s);
      const third = await wallet('approve', '--pin', '2468', '--code', code);
      assert.match(third.stderr, /ECPS_BLOCKED/);
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').innerText(), /refusée/);
      // No active e-CPS any more: a new login says so at once.
      await submitIdentifier(page, client.randomState());
      assert.match(await page.getByRole('alert').innerText(), /Aucune e-CPS n'est active/);
      await context.close();
    });

    it('deactivates from the app: the e-CPS no longer receives logins', async () => {
      const doctor = '899760000028';
      const dir = mkdtempSync(path.join(tmpdir(), 'caducee-wallet-doctor-'));
      const requested = await runCli(['wallet', 'request-activation', doctor, '--wallet', dir], cliEnv);
      assert.equal(requested.code, 0, requested.stderr);
      const mail = (await messages()).find((m) => m.kind === 'mail');
      const link = /(https:\S+#activer=[\w-]+)/.exec(mail!.text)![1]!;
      const session = new CliSession(['wallet', 'activate', link, '--wallet', dir], cliEnv);
      await session.waitFor(/Code reçu par SMS :/);
      const sms = (await messages()).find((m) => m.kind === 'sms');
      session.answer(/(\d{6})/.exec(sms!.text)![1]!);
      await session.waitFor(/Choisissez votre mot de passe/);
      session.answer('2580');
      session.answer('2580');
      assert.equal(await session.exitedWithin(30_000), 0, session.stderr);
      const off = await runCli(['wallet', 'deactivate', '--wallet', dir], cliEnv);
      assert.equal(off.code, 0, off.stderr);
      assert.match(off.stdout, /désactivée/);
      const status = await runCli(['wallet', 'status', '--wallet', dir], cliEnv);
      assert.match(status.stdout, /Aucune e-CPS/);
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.goto(
        client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid', state: 's' })
          .href,
      );
      await page.getByLabel('Identifiant national (8 + RPPS ou 0 + ADELI)').fill(doctor);
      await page.getByRole('button', { name: "Se connecter avec l'application e-CPS" }).click();
      assert.match(await page.getByRole('alert').innerText(), /Aucune e-CPS n'est active/);
      const events = await test.system.audit.list({ type: 'ecps.deactivate' });
      assert.equal(events[0]?.actor, doctor);
      await context.close();
    });
  });
}
