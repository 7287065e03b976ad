import { Hono } from 'hono';
import { asCaduceeError, setRetryAfter } from '../../../platform/index.ts';
import { type EspaceMedecin, form, text } from '../context.ts';
import { checkCredentials, countMail } from '../credentials.ts';
import { codePage, loginPage } from '../pages/login.ts';

const TITLE = 'Authentification forte par e-mail';

/**
 * "Authentification forte par e-mail": identifier + password, then the 6-digit code e-mailed to
 * the account (see email-codes.ts). Open only to accounts created by a provider login, which are
 * the only accounts there are.
 */
export function emailLoginRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const session = await em.sessions.ensure(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const identifier = text(body.identifiant);
    try {
      const account = await checkCredentials(em, c, {
        identifier,
        password: typeof body.mot_de_passe === 'string' ? body.mot_de_passe : '',
        purpose: 'login',
      });
      await countMail(em, c, account.idnat);
      const demande = await em.codes.send({ account, purpose: 'login', sessionHash: session.id_hash });
      return c.redirect(`/connexion/email/code?demande=${encodeURIComponent(demande)}`, 303);
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (error.status >= 500) throw thrown;
      return c.html(loginPage({ csrf: session.csrf, identifier, error }), error.status as 401);
    }
  });

  app.get('/code', async (c) => {
    const session = await em.sessions.ensure(c);
    return c.html(
      codePage({
        csrf: session.csrf,
        action: '/connexion/email/code',
        demande: c.req.query('demande') ?? '',
        title: TITLE,
        email: "l'adresse e-mail de votre compte",
        back: '/connexion',
      }),
    );
  });

  app.post('/code', async (c) => {
    const session = await em.sessions.ensure(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const demande = text(body.demande);
    try {
      const code = await em.codes.redeem({
        id: demande,
        code: text(body.code),
        purpose: 'login',
        sessionHash: session.id_hash,
      });
      const account = await em.accounts.byId(code.account_id);
      if (!account) throw new Error('code of a deleted account');
      await em.sessions.login(c, { accountId: account.id, method: 'email' });
      await em.audit.record({
        type: 'espace_medecin.login',
        outcome: 'success',
        actor: account.idnat,
        method: 'email',
        ip: em.clientAddress(c),
      });
      return c.redirect('/', 303);
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (error.status >= 500) throw thrown;
      await em.audit.record({
        type: 'espace_medecin.login',
        outcome: 'failure',
        method: 'email',
        ip: em.clientAddress(c),
        details: { code: error.code },
      });
      return c.html(
        codePage({
          csrf: session.csrf,
          action: '/connexion/email/code',
          demande,
          title: TITLE,
          email: "l'adresse e-mail de votre compte",
          error,
          back: '/connexion',
        }),
        error.status as 400,
      );
    }
  });

  return app;
}
