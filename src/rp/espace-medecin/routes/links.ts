import { type Context, Hono } from 'hono';
import { asCaduceeError, setRetryAfter } from '../../../platform/index.ts';
import type { Account } from '../accounts.ts';
import { type EspaceMedecin, form, text, viewerOf } from '../context.ts';
import { checkCredentials, countMail } from '../credentials.ts';
import { ForbiddenRequest, LinkInvalid, UnknownAccount } from '../errors.ts';
import { type ProfessionalIdentity, samePerson } from '../identity.ts';
import { codePage, errorPage } from '../pages/login.ts';
import type { ProviderLogin } from '../provider.ts';
import type { LoggedIn } from '../sessions.ts';

const TITLE = 'Lier votre compte professionnel';

/**
 * Linking a second account of the same person (mixed practice), after proving it is theirs:
 * its identifier + password + the code e-mailed to it, or a provider login with its card or
 * e-CPS. Then switching between them without logging in again; unlinking.
 */
export function linkRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  /** Links are made and unmade from the account that logged in, not from one switched to. */
  const fromLoginAccount = async (c: Context) => {
    const found = await viewerOf(em, c);
    if (found.session.account_id !== found.session.login_account_id)
      throw LinkInvalid({ reason: 'revenez d’abord à votre compte de connexion' });
    return found;
  };

  app.post('/liaison', async (c) => {
    const { session, account } = await fromLoginAccount(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const other = await checkCredentials(em, c, {
      identifier: text(body.identifiant),
      password: typeof body.mot_de_passe === 'string' ? body.mot_de_passe : '',
      purpose: 'link',
    });
    await checkLinkable(em, account, other);
    await countMail(em, c, other.idnat);
    const demande = await em.codes.send({
      account: other,
      purpose: 'link',
      requesterId: account.id,
      sessionHash: session.id_hash,
    });
    return c.redirect(`/compte/liaison/code?demande=${encodeURIComponent(demande)}`, 303);
  });

  app.get('/liaison/code', async (c) => {
    const { viewer } = await fromLoginAccount(c);
    return c.html(codePageFor(viewer.csrf, c.req.query('demande') ?? ''));
  });

  app.post('/liaison/code', async (c) => {
    const { session, account } = await fromLoginAccount(c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const demande = text(body.demande);
    try {
      const code = await em.codes.redeem({
        id: demande,
        code: text(body.code),
        purpose: 'link',
        sessionHash: session.id_hash,
      });
      if (code.requester_id !== account.id) throw ForbiddenRequest({ reason: 'demande d’un autre compte' });
      const other = await em.accounts.byId(code.account_id);
      if (!other) throw UnknownAccount({ idnat: '?' });
      await link(em, c, session, account, other, 'email');
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      setRetryAfter(c, error);
      if (error.status >= 500) throw thrown;
      return c.html(codePageFor(session.csrf, demande, error), error.status as 400);
    }
    return c.redirect('/compte?ok=liaison', 303);
  });

  app.post('/liaison/:id/supprimer', async (c) => {
    const { session, account } = await fromLoginAccount(c);
    em.sessions.checkCsrf(session, await form(c));
    const other = c.req.param('id');
    if (await em.links.unlink(account.id, other)) {
      await em.audit.record({
        type: 'espace_medecin.unlink',
        outcome: 'success',
        actor: account.idnat,
        subject: (await em.accounts.byId(other))?.idnat ?? other,
        ip: em.clientAddress(c),
      });
    }
    return c.redirect('/compte?ok=liaison-fin', 303);
  });

  app.post('/basculer', async (c) => {
    const { session } = await viewerOf(em, c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const target = text(body.compte);
    const allowed =
      target === session.login_account_id || (await em.links.areLinked(session.login_account_id, target));
    if (!allowed) throw ForbiddenRequest({ reason: 'compte non lié' });
    await em.sessions.switchTo(session, target);
    await em.audit.record({
      type: 'espace_medecin.switch',
      outcome: 'success',
      actor: (await em.accounts.byId(session.login_account_id))?.idnat ?? null,
      subject: (await em.accounts.byId(target))?.idnat ?? target,
      ip: em.clientAddress(c),
    });
    return c.redirect('/', 303);
  });

  return app;
}

const codePageFor = (csrf: string, demande: string, error?: Parameters<typeof codePage>[0]['error']) =>
  codePage({
    csrf,
    action: '/compte/liaison/code',
    demande,
    title: TITLE,
    email: "l'adresse e-mail du compte à lier",
    error,
    back: '/compte',
  });

async function checkLinkable(em: EspaceMedecin, account: Account, other: Account): Promise<void> {
  if (other.id === account.id)
    throw LinkInvalid({ reason: 'c’est le compte avec lequel vous êtes connecté' });
  const names = (a: Account) => ({ familyName: a.family_name, givenName: a.given_name });
  if (!samePerson(names(account), names(other)))
    throw LinkInvalid({ reason: 'les deux comptes ne sont pas au nom de la même personne' });
  if (await em.links.areLinked(account.id, other.id))
    throw LinkInvalid({ reason: 'ces comptes sont déjà liés' });
}

async function link(
  em: EspaceMedecin,
  c: Context,
  session: LoggedIn,
  account: Account,
  other: Account,
  method: string,
): Promise<void> {
  await checkLinkable(em, account, other);
  await em.links.link(account.id, other.id);
  await em.audit.record({
    type: 'espace_medecin.link',
    outcome: 'success',
    actor: account.idnat,
    subject: other.idnat,
    method,
    ip: em.clientAddress(c),
    details: { session: session.method },
  });
}

/** The callback of "lier par CPS / e-CPS": the provider authenticated the second identifier. */
export async function linkByProvider(
  em: EspaceMedecin,
  c: Context,
  login: ProviderLogin,
  identity: ProfessionalIdentity,
): Promise<Response> {
  try {
    const { session, account } = await viewerOf(em, c);
    if (session.account_id !== session.login_account_id)
      throw LinkInvalid({ reason: 'revenez d’abord à votre compte de connexion' });
    const other = await em.accounts.byIdnat(identity.idnat);
    if (!other) throw UnknownAccount({ idnat: identity.idnat });
    await link(em, c, session, account, other, login.method);
    // The provider's session in this browser is now the second identifier's: logging out (here
    // or there) must name that one.
    await em.sessions.setProviderSession(session, { sub: login.sub, sid: login.sid, idToken: login.idToken });
    return c.redirect('/compte?ok=liaison', 303);
  } catch (thrown) {
    const { error } = asCaduceeError(thrown);
    setRetryAfter(c, error);
    if (error.status >= 500) throw thrown;
    return c.html(errorPage(error, '/compte'), error.status as 400);
  }
}
