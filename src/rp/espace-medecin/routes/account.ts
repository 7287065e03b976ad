import { type Context, Hono } from 'hono';
import { parseNationalId } from '../../../directory/index.ts';
import { asCaduceeError, type CaduceeError } from '../../../platform/index.ts';
import type { PersonalInformation } from '../accounts.ts';
import { type EspaceMedecin, form, noticeOf, text, viewerOf } from '../context.ts';
import type { Delegation } from '../delegations.ts';
import { UnknownAccount } from '../errors.ts';
import { type FieldProblem, readInformation } from '../information.ts';
import { accountPage, type DelegationRow } from '../pages/account.ts';

/** "Mon compte": personal information and temporary delegations of rights. */
export function accountRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();

  const show = async (
    c: Context,
    extra: {
      notice?: string;
      error?: CaduceeError;
      values?: Partial<PersonalInformation>;
      problems?: FieldProblem[];
    } = {},
    status = 200,
  ) => {
    const { session, account, viewer } = await viewerOf(em, c);
    const { given, received } = await em.delegations.of(account.id);
    const linkedIds = await em.links.linked(session.login_account_id);
    const people = await em.accounts.byIds([
      ...given.map((d) => d.delegate_id),
      ...received.map((d) => d.delegator_id),
      ...linkedIds,
    ]);
    const rows = (list: Delegation[], otherOf: (d: Delegation) => string): DelegationRow[] =>
      list.flatMap((delegation) => {
        const other = people.get(otherOf(delegation));
        return other ? [{ delegation, state: em.delegations.state(delegation), other }] : [];
      });
    return c.html(
      accountPage({
        viewer,
        account,
        ...extra,
        given: rows(given, (d) => d.delegate_id),
        received: rows(received, (d) => d.delegator_id),
        linked: linkedIds.flatMap((id) => people.get(id) ?? []),
        canLink: session.account_id === session.login_account_id,
        today: em.delegations.today(),
      }),
      status as 200,
    );
  };

  app.get('/', (c) => show(c, { notice: noticeOf(c) }));

  app.post('/informations', async (c) => {
    const { session, account } = await viewerOf(em, c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    const { information, problems } = readInformation(body);
    if (problems.length > 0) return show(c, { values: information, problems }, 400);
    await em.accounts.updateInformation(account.id, information);
    return c.redirect('/compte?ok=informations', 303);
  });

  app.post('/delegations', async (c) => {
    const { session, account } = await viewerOf(em, c);
    const body = await form(c);
    em.sessions.checkCsrf(session, body);
    try {
      const parsed = parseNationalId(text(body.remplacant));
      const idnat = parsed.ok ? parsed.id.value : text(body.remplacant);
      const delegate = parsed.ok ? await em.accounts.byIdnat(idnat) : undefined;
      if (!delegate) throw UnknownAccount({ idnat });
      const delegation = await em.delegations.create({
        delegatorId: account.id,
        delegateId: delegate.id,
        startsOn: text(body.debut),
        endsOn: text(body.fin),
      });
      await em.audit.record({
        type: 'espace_medecin.delegation_created',
        outcome: 'success',
        actor: account.idnat,
        subject: delegate.idnat,
        ip: em.clientAddress(c),
        details: { from: delegation.starts_on, to: delegation.ends_on },
      });
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      if (error.status >= 500) throw thrown;
      return show(c, { error }, error.status);
    }
    return c.redirect('/compte?ok=delegation', 303);
  });

  app.post('/delegations/:id/fin', async (c) => {
    const { session, account } = await viewerOf(em, c);
    em.sessions.checkCsrf(session, await form(c));
    if (await em.delegations.revoke(c.req.param('id'), account.id)) {
      await em.audit.record({
        type: 'espace_medecin.delegation_revoked',
        outcome: 'success',
        actor: account.idnat,
        subject: c.req.param('id'),
        ip: em.clientAddress(c),
      });
    }
    return c.redirect('/compte?ok=delegation-fin', 303);
  });

  return app;
}
