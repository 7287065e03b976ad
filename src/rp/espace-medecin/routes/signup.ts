import { type Context, Hono } from 'hono';
import { type EspaceMedecin, form, text } from '../context.ts';
import { CharterNotAccepted, SignupExpired } from '../errors.ts';
import { type FieldProblem, readInformation } from '../information.ts';
import { charterPage, signupPage } from '../pages/signup.ts';
import { hashPassword, passwordProblems } from '../passwords.ts';

/**
 * First login through the provider without an account: the creation form (identity from the
 * claims, read-only; e-mail, password, address typed), then the charter. The account is
 * created only when the charter is accepted; the form waits in the session until then.
 */
export function signupRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  const pending = async (c: Context) => {
    const session = await em.sessions.current(c);
    const signup = session?.data.signup;
    if (!session || !signup || signup.until <= em.clock().toISOString()) throw SignupExpired({});
    return { session, signup };
  };

  app.get('/', async (c) => {
    const { session, signup } = await pending(c);
    return c.html(
      signupPage({
        csrf: session.csrf,
        identity: signup.identity,
        values: signup.information ?? {},
        problems: [],
      }),
    );
  });

  app.post('/', async (c) => {
    const { session, signup } = await pending(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const { information, problems } = readInformation(body);
    const password = typeof body.mot_de_passe === 'string' ? body.mot_de_passe : '';
    const repeat = typeof body.mot_de_passe_repete === 'string' ? body.mot_de_passe_repete : '';
    const all: FieldProblem[] = [
      ...problems,
      ...passwordProblems(password, repeat).map((message) => ({
        field: message.startsWith('Les deux') ? 'mot_de_passe_repete' : 'mot_de_passe',
        message,
      })),
    ];
    if (all.length > 0) {
      return c.html(
        signupPage({ csrf: session.csrf, identity: signup.identity, values: information, problems: all }),
        400,
      );
    }
    await em.sessions.setData(session, {
      ...session.data,
      signup: { ...signup, information, passwordHash: await hashPassword(password) },
    });
    return c.redirect('/inscription/charte', 303);
  });

  app.get('/charte', async (c) => {
    const { session, signup } = await pending(c);
    if (!signup.information) return c.redirect('/inscription', 303);
    return c.html(charterPage({ csrf: session.csrf }));
  });

  app.post('/charte', async (c) => {
    const { session, signup } = await pending(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    if (!signup.information || !signup.passwordHash) return c.redirect('/inscription', 303);
    if (text(body.accepte) !== 'oui') {
      return c.html(charterPage({ csrf: session.csrf, error: CharterNotAccepted({}) }), 400);
    }
    // A second tab may have finished first: then this is a login to that account.
    const account =
      (await em.accounts.byIdnat(signup.identity.idnat)) ??
      (await em.accounts.create({
        identity: signup.identity,
        information: signup.information,
        passwordHash: signup.passwordHash,
        createdBy: signup.method,
      }));
    await em.audit.record({
      type: 'espace_medecin.account_created',
      outcome: 'success',
      actor: account.idnat,
      method: signup.method,
      ip: em.clientAddress(c),
    });
    await em.sessions.login(c, { accountId: account.id, method: signup.method, oidc: signup.oidc });
    return c.redirect('/?ok=bienvenue', 303);
  });

  return app;
}
