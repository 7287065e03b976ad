import { Hono } from 'hono';
import { asCaduceeError, setRetryAfter } from '../../../platform/index.ts';
import { type EspaceMedecin, form, text } from '../context.ts';
import { ProviderLoginFailed } from '../errors.ts';
import { identityFromClaims } from '../identity.ts';
import { loggedOutPage, loginPage } from '../pages/login.ts';
import { addMinutes } from '../time.ts';
import { linkByProvider } from './links.ts';

/** How long a professional has to fill the creation form and accept the charter. */
const SIGNUP_MINUTES = 30;

/**
 * Logging in through the provider ("Se connecter par CPS", "Se connecter par e-CPS"), the
 * callback, logging out (here and at the provider) and the provider's back-channel logout.
 */
export function authRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  app.get('/connexion', async (c) => {
    const session = await em.sessions.ensure(c);
    if (session.account_id) return c.redirect('/', 303);
    return c.html(loginPage({ csrf: session.csrf }));
  });

  // Both buttons lead to the provider's login page, which offers the card and the e-CPS; the
  // button chosen is only remembered for the audit.
  app.get('/auth/connexion', async (c) => {
    const means = c.req.query('moyen') === 'ecps' ? 'ecps' : 'cps';
    const purpose = c.req.query('but') === 'liaison' ? 'link' : 'login';
    const session = purpose === 'link' ? await em.sessions.require(c) : await em.sessions.ensure(c);
    const { url, checks } = await em.provider.authorizationUrl(purpose === 'link');
    await em.sessions.setData(session, { ...session.data, oidc: { ...checks, purpose, means } });
    return c.redirect(url.href, 303);
  });

  app.get('/auth/callback', async (c) => {
    const session = await em.sessions.ensure(c);
    const pending = session.data.oidc;
    // The login in progress serves once, whatever happens next.
    await em.sessions.setData(session, { ...session.data, oidc: undefined });
    try {
      if (!pending)
        throw ProviderLoginFailed({
          reason: 'la demande de connexion a expiré ou vient d’un autre navigateur',
        });
      const login = await em.provider.callback(new URL(c.req.url), pending);
      const identity = identityFromClaims(login.claims);
      if (!identity) throw ProviderLoginFailed({ reason: 'aucun identifiant national dans la réponse' });
      if (pending.purpose === 'link') return await linkByProvider(em, c, login, identity);
      const account = await em.accounts.byIdnat(identity.idnat);
      if (!account) {
        // First login: the creation form, then the charter; no account before that.
        await em.sessions.setData(session, {
          signup: {
            identity,
            oidc: { sub: login.sub, sid: login.sid, idToken: login.idToken },
            method: login.method,
            until: addMinutes(em.clock(), SIGNUP_MINUTES).toISOString(),
          },
        });
        await em.audit.record({
          type: 'espace_medecin.signup_started',
          outcome: 'success',
          actor: identity.idnat,
          method: login.method,
          ip: em.clientAddress(c),
        });
        return c.redirect('/inscription', 303);
      }
      await em.accounts.refreshIdentity(account.id, identity);
      await em.sessions.login(c, {
        accountId: account.id,
        method: login.method,
        oidc: { sub: login.sub, sid: login.sid, idToken: login.idToken },
      });
      await em.audit.record({
        type: 'espace_medecin.login',
        outcome: 'success',
        actor: account.idnat,
        method: login.method,
        ip: em.clientAddress(c),
        details: { requested: pending.means },
      });
      return c.redirect('/', 303);
    } catch (thrown) {
      const { error, reference } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (reference) em.log.error({ err: thrown, reference }, 'espace médecin: provider login failed');
      else if (thrown instanceof Error && thrown.cause)
        em.log.warn({ err: thrown.cause }, 'espace médecin: provider login refused');
      await em.audit.record({
        type: pending?.purpose === 'link' ? 'espace_medecin.link' : 'espace_medecin.login',
        outcome: 'failure',
        method: pending?.means ?? null,
        ip: em.clientAddress(c),
        details: { code: error.code },
      });
      if (pending?.purpose === 'link') throw thrown;
      const fresh = await em.sessions.ensure(c);
      return c.html(loginPage({ csrf: fresh.csrf, error }), error.status as 401);
    }
  });

  // Logging out ends the session here, then the provider's (RP-initiated logout) when the login
  // went through it; the provider comes back to /deconnecte. (The CSP's form-action names the
  // provider: browsers apply it to the redirect that follows this form post.)
  app.post('/deconnexion', async (c) => {
    const session = await em.sessions.current(c);
    // Already gone (expired, ended by the provider): nothing to end here.
    if (!session) return c.redirect('/deconnecte', 303);
    em.sessions.checkCsrf(session, await form(c));
    await em.sessions.close(c);
    if (session.account_id) {
      await em.audit.record({
        type: 'espace_medecin.logout',
        outcome: 'success',
        actor: (await em.accounts.byId(session.login_account_id ?? session.account_id))?.idnat ?? null,
        method: session.method,
        ip: em.clientAddress(c),
      });
    }
    if (session.id_token) return c.redirect((await em.provider.endSessionUrl(session.id_token)).href, 303);
    return c.redirect('/deconnecte', 303);
  });

  app.get('/deconnecte', async (c) => {
    if ((await em.sessions.current(c))?.account_id) return c.redirect('/', 303);
    return c.html(loggedOutPage());
  });

  // Back-channel logout: the provider tells that a session ended there (logout elsewhere, "Je
  // me déconnecte de toutes les sessions"). Answer 200 once honoured, 400 for a bad token.
  app.post('/auth/backchannel-logout', async (c) => {
    c.header('cache-control', 'no-store');
    const token = text((await form(c)).logout_token);
    let claims: Awaited<ReturnType<typeof em.provider.verifyLogoutToken>>;
    try {
      claims = await em.provider.verifyLogoutToken(token);
    } catch (error) {
      em.log.warn({ err: error }, 'espace médecin: back-channel logout token refused');
      await em.audit.record({
        type: 'espace_medecin.backchannel_logout',
        outcome: 'failure',
        ip: em.clientAddress(c),
        details: { reason: (error as Error).message },
      });
      return c.json({ error: 'invalid_request', error_description: 'logout_token invalide' }, 400);
    }
    if (!(await rememberLogoutToken(em, claims.jti, claims.exp))) {
      return c.json({ error: 'invalid_request', error_description: 'logout_token déjà utilisé' }, 400);
    }
    const ended = await em.sessions.endProviderSessions(claims);
    await em.audit.record({
      type: 'espace_medecin.backchannel_logout',
      outcome: 'success',
      subject: claims.sid ?? claims.sub ?? null,
      ip: em.clientAddress(c),
      details: { sessions: ended },
    });
    return c.body(null, 200);
  });

  return app;
}

/** False when that token was already honoured (a replay). */
async function rememberLogoutToken(em: EspaceMedecin, jti: string, exp: number): Promise<boolean> {
  const { db } = em;
  const now = em.clock().toISOString();
  await db.deleteFrom('logout_token').where('expires_at', '<', now).execute();
  const result = await db
    .insertInto('logout_token')
    .values({ jti, expires_at: new Date(exp * 1000 + 600_000).toISOString() })
    .onConflict((oc) => oc.column('jti').doNothing())
    .returning('jti')
    .executeTakeFirst();
  return result !== undefined;
}
