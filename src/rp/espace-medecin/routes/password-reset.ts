import { Hono } from 'hono';
import { parseNationalId } from '../../../directory/index.ts';
import { asCaduceeError, setRetryAfter } from '../../../platform/index.ts';
import { type EspaceMedecin, form, NOTICES, text } from '../context.ts';
import { countMail } from '../credentials.ts';
import { errorPage, loginPage, newPasswordPage, resetRequestPage } from '../pages/login.ts';
import { hashPassword, passwordProblems } from '../passwords.ts';

const SENT =
  "Si un compte de l'espace médecin correspond à cet identifiant, un e-mail vient d'être envoyé à son adresse avec un lien valable 30 minutes.";

/**
 * "Mot de passe oublié ?": the answer is the same whether or not the identifier has an account,
 * and the e-mail goes out after the answer, so neither words nor timing tell.
 */
export function passwordResetRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  app.get('/oubli', async (c) => {
    const session = await em.sessions.ensure(c);
    return c.html(resetRequestPage({ csrf: session.csrf }));
  });

  app.post('/oubli', async (c) => {
    const session = await em.sessions.ensure(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const parsed = parseNationalId(text(body.identifiant));
    try {
      if (parsed.ok) {
        await countMail(em, c, parsed.id.value);
        const account = await em.accounts.byIdnat(parsed.id.value);
        if (account) {
          em.resets
            .send(account)
            .catch((error) => em.log.error({ err: error }, 'espace médecin: reset e-mail not sent'));
        }
        await em.audit.record({
          type: 'espace_medecin.password_reset_requested',
          outcome: account ? 'success' : 'failure',
          actor: parsed.id.value,
          ip: em.clientAddress(c),
          details: account ? {} : { reason: 'no_account' },
        });
      }
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (error.status >= 500) throw thrown;
      return c.html(resetRequestPage({ csrf: session.csrf, error }), error.status as 429);
    }
    return c.html(resetRequestPage({ csrf: session.csrf, notice: SENT }));
  });

  app.get('/nouveau', async (c) => {
    const session = await em.sessions.ensure(c);
    const token = c.req.query('jeton') ?? '';
    try {
      await em.resets.check(token);
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (error.status >= 500) throw thrown;
      return c.html(errorPage(error), error.status as 400);
    }
    return c.html(newPasswordPage({ csrf: session.csrf, token }));
  });

  app.post('/nouveau', async (c) => {
    const session = await em.sessions.ensure(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const token = text(body.jeton);
    const password = typeof body.mot_de_passe === 'string' ? body.mot_de_passe : '';
    const repeat = typeof body.mot_de_passe_repete === 'string' ? body.mot_de_passe_repete : '';
    const problems = passwordProblems(password, repeat).map((message) => ({
      field: message.startsWith('Les deux') ? 'mot_de_passe_repete' : 'mot_de_passe',
      message,
    }));
    try {
      await em.resets.check(token);
      if (problems.length > 0) return c.html(newPasswordPage({ csrf: session.csrf, token, problems }), 400);
      const accountId = await em.resets.consume(token);
      await em.accounts.setPassword(accountId, await hashPassword(password));
      // Whoever knew the old password is logged out.
      await em.sessions.endAccountSessions(accountId);
      const account = await em.accounts.byId(accountId);
      await em.audit.record({
        type: 'espace_medecin.password_reset',
        outcome: 'success',
        actor: account?.idnat ?? null,
        ip: em.clientAddress(c),
      });
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (error.status >= 500) throw thrown;
      return c.html(errorPage(error), error.status as 400);
    }
    // A fresh session: this browser's may have been one of those just ended.
    await em.sessions.close(c);
    const fresh = await em.sessions.ensure(c);
    return c.html(loginPage({ csrf: fresh.csrf, notice: NOTICES['mot-de-passe'] }));
  });

  return app;
}
