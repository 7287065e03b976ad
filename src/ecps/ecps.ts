import { randomInt, randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { createLogger, type Logger, limitedAddress, type RateLimiter } from '../platform/index.ts';
import { cardActivation } from './activation-card.ts';
import { checkActivationCode, createActivation } from './activation-code.ts';
import {
  checkSendRate,
  codeHash,
  contactsOf,
  type EcpsContext,
  activePerson as findActive,
  newCode,
  sha256,
} from './context.ts';
import { ecpsDevices } from './devices.ts';
import {
  EcpsActivationInvalid,
  EcpsAdeliNeedsCard,
  EcpsBlocked,
  EcpsExpired,
  EcpsNotActivated,
  EcpsRequestNotPending,
  EcpsTooManyRequests,
  EcpsWrongCode,
  EcpsWrongPin,
} from './errors.ts';
import { maskEmail, maskMobile } from './mask.ts';
import { checkNewPin, pinMac, pinMatches } from './pin.ts';
import { ecpsPush } from './push.ts';
import { ecpsRecovery } from './recovery.ts';
import { expiryReminders } from './reminders.ts';
import type { EcpsAuthRequestTable, EcpsDeviceTable } from './store/tables.ts';

export interface DeviceInfo {
  name: string;
  model: string;
  os: string;
  appVersion: string;
}

/** The app registered its key: the SMS code is on its way (e-mail way), or here to show (card way). */
export interface ActivationStarted {
  activationId: string;
  deviceId: string;
  idnat: string;
  mode: 'card' | 'mail_sms';
  /** Card way: shown by the app, typed on the portal. */
  code?: string;
  /** E-mail way: where the SMS went, masked. */
  mobile?: string;
}

/** What the app shows of a login request. */
export interface PendingRequest {
  id: string;
  service: string;
  bindingMessage: string | null;
  /** Three codes, one of which is on the login page; empty for CIBA (no screen). */
  choices: string[];
  expiresAt: string;
}

const MAX_PIN_FAILURES = 3;

/**
 * The e-CPS service: activation (with a card, or by e-mail + SMS to the directory's
 * correspondence contacts), login requests approved on the phone with number matching and the
 * PIN, lockout, deactivation. Transport-free: the HTTP API and the provider's pages call it.
 */
export function createEcps(
  options: Omit<EcpsContext, 'clock' | 'appUrl' | 'log'> & {
    clock?: () => Date;
    log?: Logger;
    /** Counters shared by the nodes (Redis) or kept in process; none = no login request limit. */
    rateLimiter?: RateLimiter;
  },
) {
  const { db, messaging, settings, audit, pinKey } = options;
  const clock = options.clock ?? (() => new Date());
  const config = settings.ecps;
  const appUrl = `${settings.idp.url.replace(/\/$/, '')}/ecps/app/`;
  const log = options.log ?? createLogger(settings.logLevel);
  const ctx: EcpsContext = { ...options, clock, appUrl, log };
  const activePerson = (idnat: string) => findActive(ctx, idnat);
  const pushes = ecpsPush(ctx);
  /**
   * Push bombing: a flood of login requests until the professional approves one by weariness.
   * Each phone gets a few per 10 minutes, each address may send a few more.
   */
  const limitLoginRequests = async (idnat: string, ip: string | undefined) => {
    const limiter = options.rateLimiter;
    if (!limiter) return;
    const checks = [limiter.hit(`ecps-login:id:${idnat}`, config.loginRequestsPerIdentifier, 600)];
    if (ip)
      checks.push(limiter.hit(`ecps-login:ip:${limitedAddress(ip)}`, config.loginRequestsPerAddress, 600));
    for (const result of await Promise.all(checks)) {
      if (!result.allowed)
        throw EcpsTooManyRequests({
          retryAfterMinutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)),
        });
    }
  };
  // Told when the app asks to end every session of its professional (the provider listens).
  const logoutListeners = new Set<(idnat: string) => Promise<number>>();
  const endSessionsOf = async (idnat: string) => {
    let sessions = 0;
    for (const listener of logoutListeners) sessions += await listener(idnat);
    return sessions;
  };
  // Who waits for answers besides the polling login page (CIBA): told on approval or refusal.
  const answerListeners = new Set<(request: EcpsAuthRequestTable) => Promise<void>>();
  const announce = async (requestId: string) => {
    if (answerListeners.size === 0) return;
    const request = await db
      .selectFrom('ecps_auth_request')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirst();
    if (request) for (const listener of answerListeners) await listener(request);
  };

  async function deviceForApp(device: EcpsDeviceTable, allowed: Array<EcpsDeviceTable['status']>) {
    if (device.status === 'blocked' && !allowed.includes('blocked')) throw EcpsBlocked({});
    if (!allowed.includes(device.status)) throw EcpsNotActivated({ idnat: device.idnat });
    if (device.status === 'active' && device.expires_at && device.expires_at < clock().toISOString()) {
      throw EcpsExpired({ expiredAt: device.expires_at });
    }
    return device;
  }

  /** An activation still open, made for this very device. */
  async function openActivation(device: EcpsDeviceTable, activationId: string) {
    const activation = await db
      .selectFrom('ecps_activation')
      .selectAll()
      .where('id', '=', activationId)
      .executeTakeFirst();
    if (!activation || activation.device_id !== device.id || activation.status !== 'open')
      throw EcpsActivationInvalid({});
    return activation;
  }

  async function expireOld(idnat: string) {
    await db
      .updateTable('ecps_auth_request')
      .set({ status: 'expired' })
      .where('idnat', '=', idnat)
      .where('status', '=', 'pending')
      .where('expires_at', '<', clock().toISOString())
      .execute();
  }

  return {
    /** Step 1 without a card: who would receive the e-mail and the SMS (masked). */
    async describeActivation(idnat: string, ip?: string) {
      if (ip && options.rateLimiter) {
        const counted = await options.rateLimiter.hit(
          `ecps-activation-lookup:ip:${limitedAddress(ip)}`,
          ctx.settings.rateLimits.activationLookupsPerAddress,
          600,
        );
        if (!counted.allowed)
          throw EcpsTooManyRequests({ retryAfterMinutes: Math.ceil(counted.retryAfterSeconds / 60) });
      }
      const person = await activePerson(idnat);
      if (person.idType !== '8') throw EcpsAdeliNeedsCard({ idnat: person.nationalId });
      const { email, mobile } = contactsOf(person);
      return { idnat: person.nationalId, email: maskEmail(email), mobile: maskMobile(mobile) };
    },

    /** Step 2: the e-mail with the QR code and the "Démarrer l'activation" link. */
    async sendActivationEmail(idnat: string, ip?: string) {
      const person = await activePerson(idnat);
      if (person.idType !== '8') throw EcpsAdeliNeedsCard({ idnat: person.nationalId });
      const { email } = contactsOf(person);
      await checkSendRate(ctx, 'ecps_activation', person.nationalId, ip);
      const { id, link } = await createActivation(ctx, {
        idnat: person.nationalId,
        mode: 'mail_sms',
        ttlMs: config.activationLinkTtlMinutes * 60_000,
        ip,
      });
      const qr = await QRCode.toBuffer(link, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
      try {
        await messaging.mail.send({
          to: email,
          subject: 'Activation de votre e-CPS',
          text: `Bonjour,\n\nVous avez demandé l'activation de votre e-CPS. Ouvrez ce lien sur votre téléphone, dans l'application e-CPS, ou scannez le QR code joint :\n\n${link}\n\nCe lien est valable ${config.activationLinkTtlMinutes} minutes et ne sert qu'une fois. Un code d'activation vous sera ensuite envoyé par SMS.\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message.`,
          html: `<p>Bonjour,</p><p>Vous avez demandé l'activation de votre e-CPS. Scannez ce QR code avec l'application e-CPS, ou ouvrez le lien sur votre téléphone.</p><p><img src="cid:qr-activation" alt="QR code d'activation de la e-CPS" width="240" height="240"></p><p><a href="${link}">Démarrer l'activation</a></p><p>Ce lien est valable ${config.activationLinkTtlMinutes} minutes et ne sert qu'une fois. Un code d'activation vous sera ensuite envoyé par SMS.</p><p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.</p>`,
          attachments: [
            { filename: 'activation-e-cps.png', content: qr, cid: 'qr-activation', contentType: 'image/png' },
          ],
        });
      } catch (error) {
        // Nothing usable was sent: the activation must not stay open.
        await db.updateTable('ecps_activation').set({ status: 'failed' }).where('id', '=', id).execute();
        throw error;
      }
      await audit.record({
        type: 'ecps.activation.request',
        outcome: 'success',
        actor: person.nationalId,
        ip,
        method: 'mail_sms',
      });
      return { email: maskEmail(email) };
    },

    /**
     * Step 3: the app opened the link (e-mail) or scanned the QR code (portal) and registers its
     * key. E-mail way: the activation code leaves by SMS. Card way: the app shows the code and
     * the professional types it on the portal, where the card login happened — so a QR code
     * photographed by someone else is useless without that screen.
     */
    async startActivation(token: string, publicJwk: object, device: DeviceInfo): Promise<ActivationStarted> {
      const now = clock();
      const activation = await db
        .selectFrom('ecps_activation')
        .selectAll()
        .where('token_hash', '=', sha256(token))
        .executeTakeFirst();
      if (
        activation?.status !== 'open' ||
        activation.token_used_at ||
        activation.token_expires_at < now.toISOString()
      ) {
        throw EcpsActivationInvalid({});
      }
      const person = await activePerson(activation.idnat);
      const deviceId = randomUUID();
      const code = newCode();
      await db
        .insertInto('ecps_device')
        .values({
          id: deviceId,
          idnat: person.nationalId,
          public_jwk: JSON.stringify(publicJwk),
          status: 'pending',
          pin_mac: null,
          pin_failures: 0,
          activation_mode: activation.mode,
          name: device.name.slice(0, 100),
          model: device.model.slice(0, 100),
          os: device.os.slice(0, 100),
          app_version: device.appVersion.slice(0, 30),
          created_at: now.toISOString(),
          activated_at: null,
          expires_at: null,
          last_used_at: null,
          revoked_at: null,
          reminder_sent_at: null,
          push_subscription: null,
        })
        .execute();
      const used = await db
        .updateTable('ecps_activation')
        .set({
          token_used_at: now.toISOString(),
          device_id: deviceId,
          code_hash: codeHash(activation.id, code),
          code_expires_at: new Date(now.getTime() + config.activationCodeTtlMinutes * 60_000).toISOString(),
        })
        .where('id', '=', activation.id)
        .where('token_used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw EcpsActivationInvalid({});
      await audit.record({
        type: 'ecps.activation.device',
        outcome: 'success',
        actor: person.nationalId,
        subject: deviceId,
        method: activation.mode,
        details: { name: device.name.slice(0, 100), model: device.model.slice(0, 100) },
      });
      const started = {
        activationId: activation.id,
        deviceId,
        idnat: person.nationalId,
        mode: activation.mode,
      };
      if (activation.mode === 'card') return { ...started, code };
      const { mobile } = contactsOf(person);
      try {
        await messaging.sms.send({
          to: mobile,
          text: `Votre code d'activation e-CPS : ${code}. Il est valable ${config.activationCodeTtlMinutes} minutes. Ne le communiquez à personne.`,
        });
      } catch (error) {
        // No code reached the phone: give the link back (the professional scans it again once
        // the gateway answers) rather than spend one of the few e-mails allowed per hour.
        await db
          .updateTable('ecps_activation')
          .set({ token_used_at: null, device_id: null, code_hash: null, code_expires_at: null })
          .where('id', '=', activation.id)
          .where('device_id', '=', deviceId)
          .execute();
        await db
          .updateTable('ecps_device')
          .set({ status: 'revoked', revoked_at: now.toISOString() })
          .where('id', '=', deviceId)
          .execute();
        throw error;
      }
      return { ...started, mobile: maskMobile(mobile) };
    },

    /** Step 3 bis: the SMS code, typed or read by the app (3 tries, 10 minutes). */
    async confirmActivationCode(device: EcpsDeviceTable, activationId: string, code: string) {
      const activation = await openActivation(device, activationId);
      // The card way's code is typed on the portal, never sent back by the app.
      if (activation.mode !== 'mail_sms') throw EcpsActivationInvalid({});
      await checkActivationCode(ctx, activation, code, { actor: device.idnat });
    },

    /** Card way, in the app: has the portal taken the code shown here yet? */
    async activationStatus(device: EcpsDeviceTable, activationId: string) {
      const activation = await db
        .selectFrom('ecps_activation')
        .selectAll()
        .where('id', '=', activationId)
        .executeTakeFirst();
      if (!activation || activation.device_id !== device.id) throw EcpsActivationInvalid({});
      return { status: activation.status, codeConfirmed: activation.code_confirmed_at !== null };
    },

    /** Step 4: the 4-digit password; the e-CPS is active. */
    async choosePin(device: EcpsDeviceTable, activationId: string, pin: string) {
      checkNewPin(pin);
      const now = clock();
      const activation = await openActivation(device, activationId);
      if (!activation.code_confirmed_at) throw EcpsActivationInvalid({});
      const expiresAt = new Date(now.getTime() + config.validityDays * 86_400_000).toISOString();
      await db
        .updateTable('ecps_device')
        .set({
          status: 'active',
          pin_mac: pinMac(pinKey, device.id, pin),
          pin_failures: 0,
          activated_at: now.toISOString(),
          expires_at: expiresAt,
        })
        .where('id', '=', device.id)
        .execute();
      await db
        .updateTable('ecps_activation')
        .set({ status: 'done' })
        .where('id', '=', activation.id)
        .execute();
      await audit.record({
        type: 'ecps.activation',
        outcome: 'success',
        actor: device.idnat,
        subject: device.id,
        method: activation.mode,
      });
      // Against a SIM swap or a stolen mailbox: the professional hears of every new e-CPS at the
      // directory's address, and can remove it from the portal at once if it was not them.
      const person = await ctx.directory.find(device.idnat);
      if (person?.contact.email)
        await messaging.mail
          .send({
            to: person.contact.email,
            subject: 'Votre e-CPS a été activée',
            text: `Bonjour,\n\nUne e-CPS vient d'être activée pour votre identifiant ${device.idnat} sur l'appareil « ${device.name} » (${activation.mode === 'card' ? 'avec votre carte CPS' : 'par e-mail et SMS'}).\n\nSi ce n'est pas vous, supprimez-la sans attendre sur le portail e-CPS (« Mot de passe oublié » : par carte CPS, ou par e-mail et SMS) et contactez votre assistance.\n\nLe service e-CPS`,
          })
          // The e-CPS is active either way; a lost notice must not undo it.
          .catch(() => undefined);
      return { expiresAt };
    },

    /** A login: pushed to every active device of the identifier. */
    async createRequest(input: {
      idnat: string;
      clientName: string;
      origin: string;
      bindingMessage?: string;
      withCode: boolean;
      /** Address of the browser or client that asked. */
      ip?: string;
    }) {
      const person = await activePerson(input.idnat);
      const now = clock();
      // The app's own test is asked by the phone itself: nobody bombs anyone with it.
      if (!input.origin.startsWith('test:')) await limitLoginRequests(person.nationalId, input.ip);
      const devices = await db
        .selectFrom('ecps_device')
        .select('id')
        .where('idnat', '=', person.nationalId)
        .where('status', '=', 'active')
        .where('expires_at', '>', now.toISOString())
        .execute();
      if (devices.length === 0) throw EcpsNotActivated({ idnat: person.nationalId });
      const code = input.withCode ? String(randomInt(10, 100)) : null;
      const choices = new Set<string>(code ? [code] : []);
      while (code && choices.size < 3) choices.add(String(randomInt(10, 100)));
      const shuffled = [...choices].sort(() => randomInt(0, 2) - 0.5);
      const request: EcpsAuthRequestTable = {
        id: randomUUID(),
        idnat: person.nationalId,
        client_name: input.clientName,
        binding_message: input.bindingMessage ?? null,
        code,
        choices: JSON.stringify(shuffled),
        status: 'pending',
        origin: input.origin,
        device_id: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + config.requestTtlSeconds * 1000).toISOString(),
        answered_at: null,
        request_ip: input.ip ?? null,
        reported_at: null,
      };
      await db.insertInto('ecps_auth_request').values(request).execute();
      void pushes
        .notifyDevices(person.nationalId, {
          id: request.id,
          service: input.clientName,
          expiresAt: request.expires_at,
        })
        .catch(() => undefined);
      return { id: request.id, code, expiresAt: request.expires_at };
    },

    /** Where a request stands (the waiting login page polls it). */
    async requestStatus(id: string) {
      const request = await db
        .selectFrom('ecps_auth_request')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!request) return undefined;
      if (request.status === 'pending' && request.expires_at < clock().toISOString()) {
        await db
          .updateTable('ecps_auth_request')
          .set({ status: 'expired' })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .execute();
        return { ...request, status: 'expired' as const };
      }
      return request;
    },

    /** The app's view: requests waiting for this device's professional. */
    async pendingFor(device: EcpsDeviceTable): Promise<PendingRequest[]> {
      await deviceForApp(device, ['active']);
      await expireOld(device.idnat);
      const rows = await db
        .selectFrom('ecps_auth_request')
        .selectAll()
        .where('idnat', '=', device.idnat)
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        service: row.client_name,
        bindingMessage: row.binding_message,
        choices: JSON.parse(row.choices) as string[],
        expiresAt: row.expires_at,
      }));
    },

    /**
     * Approval: the code picked must be the one on the login page (a wrong pick cancels the
     * request), and the PIN must match; three wrong PINs in a row block the e-CPS.
     */
    async approve(
      device: EcpsDeviceTable,
      requestId: string,
      answer: { code?: string; pin: string },
      ip?: string,
    ) {
      await deviceForApp(device, ['active']);
      const now = clock();
      const request = await db
        .selectFrom('ecps_auth_request')
        .selectAll()
        .where('id', '=', requestId)
        .executeTakeFirst();
      if (!request || request.idnat !== device.idnat) throw EcpsRequestNotPending({ status: 'unknown' });
      if (request.status === 'pending' && request.expires_at < now.toISOString()) {
        await db
          .updateTable('ecps_auth_request')
          .set({ status: 'expired' })
          .where('id', '=', requestId)
          .execute();
        throw EcpsRequestNotPending({ status: 'expired' });
      }
      if (request.status !== 'pending') throw EcpsRequestNotPending({ status: request.status });
      const close = (status: 'cancelled' | 'denied') =>
        db
          .updateTable('ecps_auth_request')
          .set({ status, answered_at: now.toISOString(), device_id: device.id })
          .where('id', '=', requestId)
          .execute();
      const refused = (code: string) =>
        audit.record({
          type: 'ecps.approve',
          outcome: 'failure',
          actor: device.idnat,
          subject: requestId,
          ip,
          method: 'ecps',
          details: { code },
        });
      if (request.code !== null && answer.code !== request.code) {
        await close('cancelled');
        await refused('ECPS_WRONG_CODE');
        await announce(requestId);
        throw EcpsWrongCode({});
      }
      // A try is taken in the store before the PIN is looked at: concurrent answers (a stolen
      // phone's burst) each take one, so no more than three PINs are ever checked between two
      // right ones, whatever their number or speed.
      const taken = await db
        .updateTable('ecps_device')
        .set((eb) => ({ pin_failures: eb('pin_failures', '+', 1) }))
        .where('id', '=', device.id)
        .where('status', '=', 'active')
        .where('pin_failures', '<', MAX_PIN_FAILURES)
        .returning('pin_failures')
        .executeTakeFirst();
      if (!taken) {
        await refused('ECPS_BLOCKED');
        throw EcpsBlocked({});
      }
      if (!device.pin_mac || !pinMatches(pinKey, device.id, answer.pin, device.pin_mac)) {
        const failures = Number(taken.pin_failures);
        const blocked = failures >= MAX_PIN_FAILURES;
        if (blocked)
          await db
            .updateTable('ecps_device')
            .set({ status: 'blocked' })
            .where('id', '=', device.id)
            .execute();
        await refused(blocked ? 'ECPS_BLOCKED' : 'ECPS_WRONG_PIN');
        if (blocked) {
          await close('denied');
          await announce(requestId);
          throw EcpsBlocked({});
        }
        throw EcpsWrongPin({ remaining: MAX_PIN_FAILURES - failures });
      }
      const updated = await db
        .updateTable('ecps_auth_request')
        .set({ status: 'approved', answered_at: now.toISOString(), device_id: device.id })
        .where('id', '=', requestId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) {
        // The right PIN, too late for this request: the try taken does not count.
        await db.updateTable('ecps_device').set({ pin_failures: 0 }).where('id', '=', device.id).execute();
        throw EcpsRequestNotPending({ status: 'answered' });
      }
      await db
        .updateTable('ecps_device')
        .set({ pin_failures: 0, last_used_at: now.toISOString() })
        .where('id', '=', device.id)
        .execute();
      await audit.record({
        type: 'ecps.approve',
        outcome: 'success',
        actor: device.idnat,
        subject: requestId,
        ip,
        method: 'ecps',
      });
      await announce(requestId);
    },

    /**
     * Refusal. `report` is "Ce n'était pas moi": the refusal is recorded as a suspected attack
     * (where the login came from) and the professional gets an e-mail saying what to do.
     */
    async deny(device: EcpsDeviceTable, requestId: string, options: { report?: boolean; ip?: string } = {}) {
      await deviceForApp(device, ['active']);
      const now = clock().toISOString();
      const updated = await db
        .updateTable('ecps_auth_request')
        .set({
          status: 'denied',
          answered_at: now,
          device_id: device.id,
          reported_at: options.report ? now : null,
        })
        .where('id', '=', requestId)
        .where('idnat', '=', device.idnat)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw EcpsRequestNotPending({ status: 'answered' });
      await announce(requestId);
      if (!options.report) return;
      const request = await db
        .selectFrom('ecps_auth_request')
        .selectAll()
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      await audit.record({
        type: 'ecps.report',
        outcome: 'failure',
        actor: device.idnat,
        subject: requestId,
        ip: options.ip,
        method: 'app',
        details: { service: request.client_name, requestIp: request.request_ip, origin: request.origin },
      });
      const person = await ctx.directory.find(device.idnat);
      if (person?.contact.email)
        await messaging.mail
          .send({
            to: person.contact.email,
            subject: 'e-CPS : demande de connexion signalée',
            text: `Bonjour,\n\nVous avez signalé une demande de connexion à « ${request.client_name} » que vous n'avez pas faite. Elle a été refusée et l'assistance en est informée.\n\nSi vous recevez d'autres demandes que vous n'avez pas faites, refusez-les toutes. Ne communiquez jamais le mot de passe de votre e-CPS, ni le code affiché par un service, à quelqu'un qui vous le demande (par téléphone, SMS ou e-mail) : aucun service ne vous le demandera.\n\nLe service e-CPS`,
          })
          .catch(() => undefined);
    },

    /**
     * "Je teste ma e-CPS": a real login request to the professional's own e-CPS, answered at once
     * with the password (same checks, same lockout), so the app can say it works.
     */
    async testLogin(device: EcpsDeviceTable, pin: string, ip?: string) {
      await deviceForApp(device, ['active']);
      const request = await this.createRequest({
        idnat: device.idnat,
        clientName: 'Je teste ma e-CPS',
        origin: `test:${device.id}`,
        withCode: false,
      });
      await this.approve(device, request.id, { pin }, ip);
      return { message: 'Bravo ! Votre e-CPS fonctionne.' };
    },

    /** Told of every answer (approved, denied, cancelled) to a login request. */
    onAnswer(listener: (request: EcpsAuthRequestTable) => Promise<void>) {
      answerListeners.add(listener);
    },

    /** Told when a professional asks the app to end all their sessions at the provider. */
    onLogoutEverywhere(listener: (idnat: string) => Promise<number>) {
      logoutListeners.add(listener);
    },

    /** "Je me déconnecte de toutes les sessions", from the app (signed call). */
    async logoutEverywhere(device: EcpsDeviceTable, ip?: string) {
      await deviceForApp(device, ['active']);
      const sessions = await endSessionsOf(device.idnat);
      await audit.record({
        type: 'ecps.logout_all',
        outcome: 'success',
        actor: device.idnat,
        subject: device.id,
        ip,
        method: 'app',
        details: { sessions },
      });
      return { sessions };
    },

    ...cardActivation(ctx),
    pushPublicKey: pushes.pushPublicKey,
    subscribePush: pushes.subscribePush,
    ...ecpsDevices(ctx, endSessionsOf),
    ...ecpsRecovery(ctx),
    ...expiryReminders(ctx),

    /** Settings → deactivate, from the app itself (signed call). */
    async deactivate(device: EcpsDeviceTable, actor = device.idnat) {
      await db
        .updateTable('ecps_device')
        .set({ status: 'revoked', revoked_at: clock().toISOString() })
        .where('id', '=', device.id)
        .execute();
      await audit.record({
        type: 'ecps.deactivate',
        outcome: 'success',
        actor,
        subject: device.id,
        method: 'app',
      });
    },

    async deviceStatus(device: EcpsDeviceTable) {
      return {
        deviceId: device.id,
        idnat: device.idnat,
        status: device.status,
        activatedAt: device.activated_at,
        expiresAt: device.expires_at,
        lastUsedAt: device.last_used_at,
        activationMode: device.activation_mode,
      };
    },
  };
}

export type Ecps = ReturnType<typeof createEcps>;
export type { EcpsMessaging, Mail } from './context.ts';
