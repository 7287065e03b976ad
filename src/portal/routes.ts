import { readFileSync } from 'node:fs';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import QRCode from 'qrcode';
import type { Cards } from '../cards/index.ts';
import type { Directory } from '../directory/index.ts';
import type { Ecps } from '../ecps/index.ts';
import {
  type AuditLog,
  asCaduceeError,
  clientAddressOf,
  isCaduceeError,
  type Settings,
  trustedProxies,
} from '../platform/index.ts';
import { PortalLoginRequired, PortalTermsNotAccepted } from './errors.ts';
import {
  accountPage,
  activationPage,
  homePage,
  recoveryCodePage,
  recoveryLinkPage,
  recoveryStartPage,
  resetConfirmPage,
  termsPage,
} from './pages.ts';
import { checkSameOrigin, PORTAL_PATH, PortalSessions } from './session.ts';
import type { PortalDb } from './store/tables.ts';

const RID_COOKIE = 'caducee_portail_rid';
const ACTIVATION_SCRIPT = readFileSync(new URL('./assets/activation.js', import.meta.url), 'utf8');

/**
 * The e-CPS portal (`/ecps/portail`): card login, activation with the card (QR code + code typed
 * here), devices and recent uses, "mot de passe oublié" by card or by e-mail + SMS.
 */
export function portalRoutes(options: {
  db: PortalDb;
  ecps: Ecps;
  cards: Cards;
  directory: Directory;
  settings: Settings;
  audit: AuditLog;
}): Hono {
  const { ecps, cards, directory, settings, audit } = options;
  const idp = settings.idp.url.replace(/\/$/, '');
  const origin = new URL(idp).origin;
  const sessions = new PortalSessions(options.db, settings.ecps.portalSessionMinutes);
  const proxies = trustedProxies(settings.http.trustedProxies);
  const remote = (c: Context) => clientAddressOf(c, proxies);
  const app = new Hono();

  // Portal pages hold one-time codes and personal data: never cached, never framed.
  app.use(async (c, next) => {
    if (c.req.method === 'POST') checkSameOrigin(c, origin);
    await next();
    c.header('cache-control', 'no-store');
  });
  app.onError((thrown, c) => {
    if (!isCaduceeError(thrown)) throw thrown;
    const { error } = asCaduceeError(thrown);
    if (error.code === PortalLoginRequired({}).code) return c.html(homePage(error), 401);
    return c.html(homePage(error), error.status as 400);
  });

  const form = async (c: Context) => (await c.req.parseBody()) as Record<string, unknown>;
  const account = async (c: Context, notice?: string) => {
    const session = await sessions.require(c);
    const person = await directory.get(session.idnat);
    return c.html(
      accountPage({
        person,
        method: session.method,
        csrf: session.csrf,
        devices: await ecps.devicesOf(session.idnat),
        uses: await ecps.recentUses(session.idnat),
        notice,
      }),
    );
  };

  app.get('/static/activation.js', (c) =>
    c.body(ACTIVATION_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/', async (c) =>
    (await sessions.current(c)) ? c.redirect(`${PORTAL_PATH}/compte`, 303) : c.html(homePage()),
  );

  // Card login, through the card host, as for the provider's "Carte CPS".
  app.get('/carte', async (c) => {
    const purpose = c.req.query('suite') === 'oubli' ? 'portal-reset' : 'portal';
    const { rid, nonce } = await cards.assertions.begin(purpose);
    setCookie(c, RID_COOKIE, rid, {
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: PORTAL_PATH,
      maxAge: 600,
    });
    const target = new URL(`${settings.cardHost.url.replace(/\/$/, '')}/connexion`);
    target.searchParams.set('rid', rid);
    target.searchParams.set('nonce', nonce);
    target.searchParams.set('retour', `${idp}${PORTAL_PATH}/carte/retour`);
    return c.redirect(target.toString(), 303);
  });

  app.get('/carte/retour', async (c) => {
    const token = c.req.query('assertion');
    if (!token) return c.redirect(PORTAL_PATH, 303);
    try {
      const claims = await cards.assertions.redeem(token, getCookie(c, RID_COOKIE));
      deleteCookie(c, RID_COOKIE, { path: PORTAL_PATH, secure: true });
      if (!claims.purpose.startsWith('portal')) throw PortalLoginRequired({});
      const person = await directory.find(claims.idnat);
      if (!person?.active) throw PortalLoginRequired({});
      await sessions.open(c, claims.idnat, 'card');
      await audit.record({
        type: 'portal.login',
        outcome: 'success',
        actor: claims.idnat,
        subject: claims.serial,
        ip: remote(c),
        method: 'card',
      });
      return c.redirect(
        `${PORTAL_PATH}/${claims.purpose === 'portal-reset' ? 'oubli/confirmer' : 'compte'}`,
        303,
      );
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      await audit.record({
        type: 'portal.login',
        outcome: 'failure',
        ip: remote(c),
        method: 'card',
        details: { code: error.code },
      });
      throw thrown;
    }
  });

  app.get('/compte', (c) => account(c));

  app.post('/deconnexion', async (c) => {
    const session = await sessions.require(c);
    sessions.checkCsrf(session, await form(c));
    await sessions.close(c);
    return c.redirect(PORTAL_PATH, 303);
  });

  app.post('/appareils/:id/supprimer', async (c) => {
    const session = await sessions.require(c);
    sessions.checkCsrf(session, await form(c));
    await ecps.removeDevice(session.idnat, c.req.param('id'), {
      method: `portal-${session.method}`,
      ip: remote(c),
    });
    return account(c, 'La e-CPS de cet appareil est supprimée.');
  });

  // Activation with the card: terms, QR code (renewable), code typed here.
  app.get('/activation', async (c) => {
    const session = await sessions.require(c, 'card');
    return c.html(termsPage(session.csrf));
  });

  const showNewQr = async (c: Context, idnat: string, csrf: string) => {
    const started = await ecps.startCardActivation(idnat, remote(c));
    const qrSvg = await QRCode.toString(started.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return c.html(
      activationPage({
        activationId: started.activationId,
        step: 'waiting-scan',
        csrf,
        qrSvg,
        qrExpiresAt: started.expiresAt,
      }),
    );
  };

  app.post('/activation', async (c) => {
    const session = await sessions.require(c, 'card');
    const body = await form(c);
    sessions.checkCsrf(session, body);
    if (body.cgu !== 'oui') return c.html(termsPage(session.csrf, PortalTermsNotAccepted({})), 400);
    await audit.record({
      type: 'portal.terms_accepted',
      outcome: 'success',
      actor: session.idnat,
      ip: remote(c),
    });
    return showNewQr(c, session.idnat, session.csrf);
  });

  app.post('/activation/renouveler', async (c) => {
    const session = await sessions.require(c, 'card');
    sessions.checkCsrf(session, await form(c));
    return showNewQr(c, session.idnat, session.csrf);
  });

  app.get('/activation/:id', async (c) => {
    const session = await sessions.require(c, 'card');
    const status = await ecps.cardActivationStatus(session.idnat, c.req.param('id'));
    return c.html(
      activationPage({ activationId: status.activationId, step: status.step, csrf: session.csrf }),
    );
  });

  app.get('/activation/:id/etat', async (c) => {
    const session = await sessions.require(c, 'card');
    const status = await ecps.cardActivationStatus(session.idnat, c.req.param('id'));
    return c.json({ step: status.step });
  });

  app.post('/activation/:id/code', async (c) => {
    const session = await sessions.require(c, 'card');
    const body = await form(c);
    sessions.checkCsrf(session, body);
    const id = c.req.param('id');
    try {
      await ecps.confirmCardCode(session.idnat, id, String(body.code ?? ''), remote(c));
      return c.redirect(`${PORTAL_PATH}/activation/${id}`, 303);
    } catch (thrown) {
      if (!isCaduceeError(thrown)) throw thrown;
      const status = await ecps.cardActivationStatus(session.idnat, id);
      return c.html(
        activationPage({ activationId: id, step: status.step, csrf: session.csrf, error: thrown }),
        400,
      );
    }
  });

  // "Mot de passe oublié": by card (above, suite=oubli) or by e-mail + SMS.
  app.get('/oubli', (c) => c.html(recoveryStartPage()));

  app.post('/oubli', async (c) => {
    const idnat = String((await form(c)).idnat ?? '').replace(/\s/g, '');
    await ecps.startRecovery(idnat, remote(c));
    return c.html(recoveryStartPage({ sent: true }));
  });

  app.get('/oubli/verifier', (c) => c.html(recoveryLinkPage(c.req.query('jeton') ?? '')));

  app.post('/oubli/verifier', async (c) => {
    const token = String((await form(c)).jeton ?? '');
    try {
      const sent = await ecps.sendRecoveryCode(token, remote(c));
      return c.html(recoveryCodePage(sent.recoveryId, sent.mobile));
    } catch (thrown) {
      if (!isCaduceeError(thrown)) throw thrown;
      return c.html(recoveryStartPage({ error: thrown }), 400);
    }
  });

  app.post('/oubli/code', async (c) => {
    const body = await form(c);
    const recoveryId = String(body.demande ?? '');
    try {
      const { idnat } = await ecps.confirmRecoveryCode(recoveryId, String(body.code ?? ''), remote(c));
      await sessions.open(c, idnat, 'mail_sms');
      await audit.record({
        type: 'portal.login',
        outcome: 'success',
        actor: idnat,
        ip: remote(c),
        method: 'mail_sms',
      });
      return c.redirect(`${PORTAL_PATH}/oubli/confirmer`, 303);
    } catch (thrown) {
      if (!isCaduceeError(thrown)) throw thrown;
      if (thrown.code === 'ECPS_WRONG_RECOVERY_CODE' && /reste/.test(thrown.message))
        return c.html(recoveryCodePage(recoveryId, String(body.mobile ?? '').slice(0, 20), thrown), 400);
      return c.html(recoveryStartPage({ error: thrown }), 400);
    }
  });

  app.get('/oubli/confirmer', async (c) => {
    const session = await sessions.require(c);
    const devices = await ecps.devicesOf(session.idnat);
    return c.html(resetConfirmPage(session.csrf, devices.length));
  });

  app.post('/oubli/confirmer', async (c) => {
    const session = await sessions.require(c);
    sessions.checkCsrf(session, await form(c));
    const { removed } = await ecps.removeAllDevices(session.idnat, {
      method: `portal-${session.method}`,
      ip: remote(c),
    });
    return account(
      c,
      removed > 0
        ? "Votre e-CPS est supprimée. Vous pouvez l'activer de nouveau."
        : "Aucune e-CPS n'était active. Vous pouvez en activer une.",
    );
  });

  return app;
}
