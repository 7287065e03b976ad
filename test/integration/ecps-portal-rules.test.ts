import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDirectory, type Directory, loadDemoDirectoryIfEmpty } from '../../src/directory/index.ts';
import { createEcps, type Ecps, type EcpsDb, type EcpsMessaging } from '../../src/ecps/index.ts';
import { smtpMailSender } from '../../src/messaging/index.ts';
import {
  type AuditLog,
  createAuditLog,
  loadSettings,
  memoryRateLimiter,
  type RecordedAuditEvent,
  type Settings,
} from '../../src/platform/index.ts';
import { type PortalDb, portalRoutes } from '../../src/portal/index.ts';
import { type OpenedStore, storeCases } from '../support/stores.ts';

const DOCTOR = '899760000028';
const GP = '899760000010';
const NO_CONTACTS = '899760000077';
const PHARMACIST = '899760000036';
const NURSE = '899760000044';
const device = { name: 'Téléphone de test', model: 'test', os: 'test', appVersion: '0' };
const publicJwk = { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) };

/**
 * The e-CPS rules that depend on time and counts, on both stores, with a clock the test moves:
 * the portal's 90-second QR code, the card way's code tries, "mot de passe oublié" by e-mail +
 * SMS, expiry reminders, per-address limits. Messages go to a recording messaging port (the real
 * SMTP and outbox are exercised by the flow tests).
 */
for (const storeCase of storeCases()) {
  describe(`e-CPS portal rules (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let ecps: Ecps;
    let now: Date;
    const sent: {
      mail: Array<{ to: string; subject: string; text: string }>;
      sms: Array<{ to: string; text: string }>;
    } = { mail: [], sms: [] };
    const messaging: EcpsMessaging = {
      mail: { send: async (mail) => void sent.mail.push(mail) },
      sms: { send: async (sms) => void sent.sms.push(sms) },
    };
    let directory: Directory;
    let settings: Settings;
    let audit: AuditLog;
    const db = () => opened.store.db as EcpsDb;
    const deviceById = (id: string) =>
      db().selectFrom('ecps_device').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    /** What an audit assertion compares (the event's id, time and chain fields vary). */
    const seen = (event: RecordedAuditEvent | undefined) =>
      event && {
        outcome: event.outcome,
        actor: event.actor,
        subject: event.subject,
        ip: event.ip,
        method: event.method,
      };

    before(async () => {
      opened = await storeCase.open();
      const loaded = loadSettings({ env: {}, overrides: { logLevel: 'silent' } }).settings;
      settings = {
        ...loaded,
        ecps: { ...loaded.ecps, activationRequestsPerHour: 2, activationRequestsPerHourPerAddress: 3 },
      };
      directory = createDirectory(opened.store, settings, () => now);
      now = new Date();
      await loadDemoDirectoryIfEmpty(directory);
      audit = createAuditLog(opened.store.db);
      ecps = createEcps({
        db: db(),
        directory,
        messaging,
        settings,
        audit,
        pinKey: randomBytes(32),
        clock: () => now,
      });
    });
    after(async () => opened?.dispose());
    beforeEach(async () => {
      // Each case starts an hour later: the per-hour limits of the previous one no longer count.
      now = new Date(now.getTime() + 3_700_000);
      sent.mail.length = 0;
      sent.sms.length = 0;
    });

    const token = (link: string) => /#activer=([\w-]+)/.exec(link)![1]!;

    it('the portal QR code serves once, within 90 seconds, and a renewed one voids the previous', async () => {
      const late = await ecps.startCardActivation(DOCTOR);
      now = new Date(now.getTime() + 91_000);
      assert.equal((await ecps.cardActivationStatus(DOCTOR, late.activationId)).step, 'expired');
      await assert.rejects(ecps.startActivation(token(late.link), publicJwk, device), {
        code: 'ECPS_ACTIVATION_INVALID',
      });

      const first = await ecps.startCardActivation(DOCTOR);
      const second = await ecps.startCardActivation(DOCTOR);
      await assert.rejects(ecps.startActivation(token(first.link), publicJwk, device), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
      const started = await ecps.startActivation(token(second.link), publicJwk, device);
      assert.equal(started.mode, 'card');
      assert.match(started.code!, /^\d{6}$/);
      assert.equal(sent.sms.length, 0, 'the card way sends no SMS');
      await assert.rejects(ecps.startActivation(token(second.link), publicJwk, device), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
    });

    it('the card way: three wrong codes on the portal void the activation and the pending device; the app cannot confirm it itself', async () => {
      const portal = await ecps.startCardActivation(DOCTOR);
      const started = await ecps.startActivation(token(portal.link), publicJwk, device);
      const phone = await deviceById(started.deviceId);
      // A stolen QR code gives the thief's app the code, but only the portal may take it.
      await assert.rejects(ecps.confirmActivationCode(phone, started.activationId, started.code!), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
      // Nor may another professional's portal session.
      await assert.rejects(ecps.confirmCardCode(GP, started.activationId, started.code!), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
      const wrong = started.code === '000000' ? '111111' : '000000';
      for (const remaining of [2, 1, 0]) {
        await assert.rejects(ecps.confirmCardCode(DOCTOR, started.activationId, wrong), (error: Error) =>
          new RegExp(remaining > 0 ? `reste ${remaining} essai` : 'annulée').test(error.message),
        );
      }
      await assert.rejects(ecps.confirmCardCode(DOCTOR, started.activationId, started.code!), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
      assert.equal((await ecps.cardActivationStatus(DOCTOR, started.activationId)).step, 'failed');
      const revoked = await deviceById(started.deviceId);
      assert.equal(revoked.status, 'revoked');
    });

    it('the card way: the code typed in time lets the phone choose its password', async () => {
      const portal = await ecps.startCardActivation(DOCTOR);
      const started = await ecps.startActivation(token(portal.link), publicJwk, device);
      assert.equal((await ecps.cardActivationStatus(DOCTOR, started.activationId)).step, 'waiting-code');
      await ecps.confirmCardCode(DOCTOR, started.activationId, started.code!);
      assert.equal((await ecps.cardActivationStatus(DOCTOR, started.activationId)).step, 'waiting-pin');
      const phone = await deviceById(started.deviceId);
      assert.deepEqual(await ecps.activationStatus(phone, started.activationId), {
        status: 'open',
        codeConfirmed: true,
      });
      await ecps.choosePin(phone, started.activationId, '2580');
      assert.equal((await ecps.cardActivationStatus(DOCTOR, started.activationId)).step, 'active');
      assert.deepEqual(seen((await audit.list({ type: 'ecps.activation', limit: 1 }))[0]), {
        outcome: 'success',
        actor: DOCTOR,
        subject: started.deviceId,
        ip: null,
        method: 'card',
      });
      // The professional hears of it at the directory's address (a SIM swap would not stay silent).
      const notice = sent.mail.find((mail) => mail.subject === 'Votre e-CPS a été activée');
      assert.equal(notice?.to, 'thomas.bernard@demo.caducee.test');
      assert.match(notice!.text, /Téléphone de test.*avec votre carte CPS/s);
      const listed = await ecps.devicesOf(DOCTOR);
      assert.ok(listed.some((entry) => entry.id === started.deviceId && entry.status === 'active'));
    });

    it('checks no more than three PINs, however many answers arrive at once (a stolen phone)', async () => {
      const portal = await ecps.startCardActivation(PHARMACIST);
      const started = await ecps.startActivation(token(portal.link), publicJwk, device);
      await ecps.confirmCardCode(PHARMACIST, started.activationId, started.code!);
      await ecps.choosePin(await deviceById(started.deviceId), started.activationId, '4826');
      const phone = await deviceById(started.deviceId);
      const request = await ecps.createRequest({
        idnat: PHARMACIST,
        clientName: 'Service',
        origin: 'oidc:burst',
        withCode: false,
      });
      // Twenty-one wrong PINs, all sent before any answer, each call with the phone as loaded
      // before the burst (as each signed call finds it). Read then written back, the failure
      // count would have said "one" to every one of them.
      const answers = await Promise.allSettled(
        Array.from({ length: 21 }, (_, i) => ecps.approve(phone, request.id, { pin: String(1000 + i) })),
      );
      const codes = answers.map((answer) =>
        answer.status === 'fulfilled' ? 'approved' : (answer.reason as { code: string }).code,
      );
      assert.equal(codes.filter((code) => code === 'ECPS_WRONG_PIN').length, 2, codes.join(' '));
      assert.equal(codes.filter((code) => code === 'ECPS_BLOCKED').length, 19, codes.join(' '));
      assert.equal((await deviceById(started.deviceId)).status, 'blocked');
      assert.equal((await ecps.requestStatus(request.id))?.status, 'denied');
      // Blocked: the right PIN opens nothing either.
      await assert.rejects(ecps.approve(await deviceById(started.deviceId), request.id, { pin: '4826' }));
    });

    it('"mot de passe oublié" by e-mail + SMS: link once, 3 code tries, nothing said about unknown identifiers', async () => {
      await ecps.startRecovery('899700000000');
      await ecps.startRecovery(NO_CONTACTS);
      assert.equal(sent.mail.length, 0, 'no e-mail, and no error either');

      await ecps.startRecovery(DOCTOR, '198.51.100.7');
      const link = /jeton=([\w-]+)/.exec(sent.mail[0]!.text)![1]!;
      const { recoveryId } = await ecps.sendRecoveryCode(link);
      await assert.rejects(ecps.sendRecoveryCode(link), { code: 'ECPS_RECOVERY_INVALID' });
      const code = /(\d{6})/.exec(sent.sms[0]!.text)![1]!;
      const wrong = code === '000000' ? '111111' : '000000';
      await assert.rejects(ecps.confirmRecoveryCode(recoveryId, wrong), { code: 'ECPS_WRONG_RECOVERY_CODE' });
      assert.deepEqual(await ecps.confirmRecoveryCode(recoveryId, code), { idnat: DOCTOR });
      await assert.rejects(ecps.confirmRecoveryCode(recoveryId, code), { code: 'ECPS_RECOVERY_INVALID' });

      // Three wrong codes end it, even with the right one after.
      now = new Date(now.getTime() + 3_700_000);
      await ecps.startRecovery(DOCTOR);
      const second = await ecps.sendRecoveryCode(/jeton=([\w-]+)/.exec(sent.mail.at(-1)!.text)![1]!);
      const secondCode = /(\d{6})/.exec(sent.sms.at(-1)!.text)![1]!;
      const bad = secondCode === '000000' ? '111111' : '000000';
      for (let i = 0; i < 3; i++)
        await assert.rejects(ecps.confirmRecoveryCode(second.recoveryId, bad), {
          code: 'ECPS_WRONG_RECOVERY_CODE',
        });
      await assert.rejects(ecps.confirmRecoveryCode(second.recoveryId, secondCode), {
        code: 'ECPS_RECOVERY_INVALID',
      });
    });

    it('limits what sends e-mails per identifier and per address', async () => {
      // Addresses of one IPv6 /64, which the per-address limit counts as one.
      await ecps.startRecovery(DOCTOR, '2001:db8:301:1::1');
      await ecps.startRecovery(DOCTOR, '2001:db8:301:1::2');
      await assert.rejects(ecps.startRecovery(DOCTOR, '203.0.113.10'), { code: 'ECPS_TOO_MANY_REQUESTS' });
      // One address trying many identifiers is stopped too.
      await ecps.startRecovery(GP, '2001:db8:301:1::3');
      await assert.rejects(ecps.startRecovery('899700000000', '2001:db8:301:1::4'), {
        code: 'ECPS_TOO_MANY_REQUESTS',
      });
    });

    it('the e-mail way: three wrong SMS codes void the activation and the pending device', async () => {
      await ecps.sendActivationEmail(DOCTOR);
      const started = await ecps.startActivation(token(sent.mail[0]!.text), publicJwk, device);
      const code = /(\d{6})/.exec(sent.sms[0]!.text)![1]!;
      const phone = await deviceById(started.deviceId);
      const wrong = code === '000000' ? '111111' : '000000';
      for (const remaining of [2, 1, 0]) {
        await assert.rejects(ecps.confirmActivationCode(phone, started.activationId, wrong), (error: Error) =>
          new RegExp(remaining > 0 ? `reste ${remaining} essai` : 'annulée').test(error.message),
        );
      }
      await assert.rejects(ecps.confirmActivationCode(phone, started.activationId, code), {
        code: 'ECPS_ACTIVATION_INVALID',
      });
      const revoked = await deviceById(started.deviceId);
      assert.equal(revoked.status, 'revoked');
    });

    it('the e-mail way: of the SMS code guesses sent at once, no more than three are compared', async () => {
      await ecps.sendActivationEmail(GP);
      const started = await ecps.startActivation(token(sent.mail[0]!.text), publicJwk, device);
      const code = /(\d{6})/.exec(sent.sms[0]!.text)![1]!;
      const phone = await deviceById(started.deviceId);
      // Twenty wrong codes and, last, the right one, all before any answer: compared before
      // being counted, each wrong one would have said "2 tries left" and the right one passed.
      const guesses = [...Array.from({ length: 20 }, (_, i) => String(100000 + i)), code].filter(
        (guess, i, all) => i === all.length - 1 || guess !== code,
      );
      const answers = await Promise.allSettled(
        guesses.map((guess) => ecps.confirmActivationCode(phone, started.activationId, guess)),
      );
      const codes = answers.map((answer) =>
        answer.status === 'fulfilled' ? 'confirmed' : (answer.reason as { code: string }).code,
      );
      const compared = codes.filter((c) => c === 'ECPS_WRONG_ACTIVATION_CODE' || c === 'confirmed');
      assert.ok(compared.length <= 3, codes.join(' '));
      // The right code, last, normally finds the tries taken; were it among the first three
      // (store connections answer in any order), it would have confirmed the activation.
      if (!codes.includes('confirmed')) assert.equal((await deviceById(started.deviceId)).status, 'revoked');
    });

    it('limits the activation e-mails per identifier and per address', async () => {
      await ecps.sendActivationEmail(DOCTOR, '203.0.113.20');
      await ecps.sendActivationEmail(DOCTOR, '203.0.113.21');
      await assert.rejects(ecps.sendActivationEmail(DOCTOR, '203.0.113.22'), {
        code: 'ECPS_TOO_MANY_REQUESTS',
      });
      // One address trying many identifiers is stopped too; an IPv6 /64 is one address.
      await ecps.sendActivationEmail(GP, '2001:db8:302:1::1');
      await ecps.sendActivationEmail(PHARMACIST, '2001:db8:302:1::2');
      await ecps.sendActivationEmail(NURSE, '2001:db8:302:1::3');
      await assert.rejects(ecps.sendActivationEmail(GP, '2001:db8:302:1:ffff::4'), {
        code: 'ECPS_TOO_MANY_REQUESTS',
      });
      assert.equal(sent.mail.length, 5);
    });

    it('"mot de passe oublié" on the portal answers at once and the same for a known identifier while SMTP hangs; the failure is audited and voids the link', async () => {
      // Accepts the connection, never greets: the e-mail neither leaves nor fails before
      // nodemailer's 10-second timeout. A known identifier's answer must not wait for it, or the
      // time taken would tell which identifiers exist.
      const sockets = new Set<Socket>();
      let down = false;
      const silent = createServer((socket) => {
        sockets.add(socket);
        if (down) socket.end('554 5.3.2 Service indisponible\r\n');
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const mail = smtpMailSender({
        url: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        from: 'e-cps@caducee.test',
      });
      const hanging = createEcps({
        db: db(),
        directory,
        messaging: { mail, sms: messaging.sms },
        settings,
        audit,
        pinKey: randomBytes(32),
        clock: () => now,
      });
      const portal = portalRoutes({
        db: opened.store.db as PortalDb,
        ecps: hanging,
        cards: {} as never,
        directory,
        settings,
        audit,
      });
      const ask = async (idnat: string) => {
        const answer = await Promise.race([
          portal.request(
            '/oubli',
            { method: 'POST', body: new URLSearchParams({ idnat }) },
            { incoming: { socket: { remoteAddress: '198.51.100.20' }, headers: {} } },
          ),
          sleep(3000, undefined, { ref: false }).then(() =>
            assert.fail(`the answer for ${idnat} waits for SMTP`),
          ),
        ]);
        return { status: answer.status, page: await answer.text() };
      };
      try {
        const known = await ask(DOCTOR);
        const unknown = await ask('899700000000');
        assert.equal(known.status, 200);
        assert.equal(known.page, unknown.page);
        assert.match(known.page, /un e-mail vient d'être envoyé/);
        // The e-mail is on its way; SMTP now turns it down.
        while (sockets.size === 0) await sleep(20);
        down = true;
        for (const socket of sockets) socket.end('554 5.3.2 Service indisponible\r\n');
        let failure: RecordedAuditEvent | undefined;
        for (let i = 0; i < 100 && !failure; i++) {
          await sleep(50);
          [failure] = await audit.list({ type: 'ecps.recovery.mail', limit: 1 });
        }
        assert.deepEqual(seen(failure), {
          outcome: 'failure',
          actor: DOCTOR,
          subject: failure?.subject,
          ip: '198.51.100.20',
          method: 'mail_sms',
        });
        assert.deepEqual(failure?.details, { code: 'MESSAGING_MAIL_NOT_SENT' });
        const recovery = await db()
          .selectFrom('ecps_recovery')
          .select(['idnat', 'status'])
          .where('id', '=', failure!.subject!)
          .executeTakeFirstOrThrow();
        assert.deepEqual({ ...recovery }, { idnat: DOCTOR, status: 'failed' }, 'the link can never be used');
      } finally {
        mail.close?.();
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });

    it('limits the login requests pushed to one professional and sent from one address (push bombing)', async () => {
      const { settings } = loadSettings({ env: {}, overrides: { logLevel: 'silent' } });
      const limited = createEcps({
        db: db(),
        directory: createDirectory(opened.store, settings, () => now),
        messaging,
        settings: {
          ...settings,
          ecps: { ...settings.ecps, loginRequestsPerIdentifier: 3, loginRequestsPerAddress: 4 },
        },
        audit: createAuditLog(opened.store.db),
        pinKey: randomBytes(32),
        clock: () => now,
        rateLimiter: memoryRateLimiter(() => now.getTime()),
      });
      const portal = await limited.startCardActivation(DOCTOR);
      const started = await limited.startActivation(token(portal.link), publicJwk, device);
      await limited.confirmCardCode(DOCTOR, started.activationId, started.code!);
      const phone = await deviceById(started.deviceId);
      await limited.choosePin(phone, started.activationId, '2580');
      const ask = (ip: string) =>
        limited.createRequest({ idnat: DOCTOR, clientName: 'Service', origin: 'oidc:x', withCode: true, ip });
      for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) await ask(ip);
      await assert.rejects(ask('192.0.2.4'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ECPS_TOO_MANY_REQUESTS');
        assert.match(error.message, /Réessayez dans 10 minutes/);
        return true;
      });
      // The phone's own test is not a login someone else asked for.
      const active = await deviceById(started.deviceId);
      await limited.testLogin(active, '2580');
      // One address asking for many professionals is stopped too; an IPv6 /64 is one address,
      // whichever of its addresses each request comes from.
      let host = 0;
      const other = (idnat: string) =>
        limited.createRequest({
          idnat,
          clientName: 'Service',
          origin: 'oidc:y',
          withCode: true,
          ip: `2001:db8:200:1::${++host}`,
        });
      for (const idnat of [GP, NO_CONTACTS, '899760000036', '899760000044'])
        await other(idnat).catch((error) => assert.equal(error.code, 'ECPS_NOT_ACTIVATED'));
      await assert.rejects(other('899760000069'), { code: 'ECPS_TOO_MANY_REQUESTS' });
      now = new Date(now.getTime() + 601_000);
      await ask('192.0.2.5');
    });

    it('"Ce n\'était pas moi": the refusal is recorded with where the login came from, and the professional is e-mailed', async () => {
      const phone = await db()
        .selectFrom('ecps_device')
        .selectAll()
        .where('idnat', '=', DOCTOR)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      const request = await ecps.createRequest({
        idnat: DOCTOR,
        clientName: 'Service inconnu',
        origin: 'oidc:suspect',
        withCode: true,
        ip: '203.0.113.66',
      });
      await ecps.deny(phone, request.id, { report: true, ip: '192.0.2.10' });
      const [event] = await createAuditLog(opened.store.db).list({ type: 'ecps.report', limit: 1 });
      assert.equal(event?.subject, request.id);
      assert.deepEqual(event?.details, {
        service: 'Service inconnu',
        requestIp: '203.0.113.66',
        origin: 'oidc:suspect',
      });
      const mail = sent.mail.at(-1)!;
      assert.equal(mail.subject, 'e-CPS : demande de connexion signalée');
      assert.equal(mail.to, 'thomas.bernard@demo.caducee.test');
      assert.equal((await ecps.requestStatus(request.id))?.status, 'denied');
    });

    it('reminds once before the end of validity; an expired e-CPS no longer receives logins', async () => {
      const portal = await ecps.startCardActivation(GP);
      const started = await ecps.startActivation(token(portal.link), publicJwk, device);
      await ecps.confirmCardCode(GP, started.activationId, started.code!);
      const phone = await deviceById(started.deviceId);
      const { expiresAt } = await ecps.choosePin(phone, started.activationId, '2580');
      assert.deepEqual(await ecps.sendExpiryReminders(), { sent: 0 }, 'not yet');
      now = new Date(Date.parse(expiresAt) - 29 * 86_400_000);
      assert.ok((await ecps.sendExpiryReminders()).sent >= 1);
      const reminders = sent.mail.filter(
        (mail) =>
          mail.to === 'claire.martin@demo.caducee.test' && mail.subject.startsWith('Votre e-CPS expire'),
      );
      assert.equal(reminders.length, 1);
      assert.match(reminders[0]!.subject, /^Votre e-CPS expire le /);
      assert.deepEqual(await ecps.sendExpiryReminders(), { sent: 0 }, 'once');
      now = new Date(Date.parse(expiresAt) + 1000);
      await assert.rejects(
        ecps.createRequest({ idnat: GP, clientName: 'Service', origin: 'test', withCode: true }),
        { code: 'ECPS_NOT_ACTIVATED' },
      );
      const expired = await deviceById(started.deviceId);
      await assert.rejects(ecps.pendingFor(expired), { code: 'ECPS_EXPIRED' });
      assert.equal((await ecps.devicesOf(GP)).find((entry) => entry.id === expired.id)?.status, 'expired');
      // "Supprimer ma e-CPS" still works on an expired one.
      await ecps.deactivate(expired);
      assert.equal(
        (await ecps.devicesOf(GP)).some((entry) => entry.id === expired.id),
        false,
      );
    });
  });
}
