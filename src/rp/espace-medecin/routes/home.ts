import { Hono } from 'hono';
import { displayName } from '../accounts.ts';
import { type EspaceMedecin, noticeOf, viewerOf } from '../context.ts';
import { homePage } from '../pages/home.ts';
import { frenchDay } from '../time.ts';

export function homeRoutes(em: EspaceMedecin): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    if (!(await em.sessions.current(c))?.account_id) return c.redirect('/connexion', 303);
    const { account, viewer } = await viewerOf(em, c);
    const files = await em.patients.list(account.id);
    const delegations = await em.delegations.activeDelegatorsFor(account.id);
    const delegators = await em.accounts.byIds(delegations.map((d) => d.delegator_id));
    return c.html(
      homePage({
        viewer,
        account,
        files: files.length,
        delegators: delegations.flatMap((d) => {
          const delegator = delegators.get(d.delegator_id);
          return delegator ? [{ name: displayName(delegator), until: frenchDay(d.ends_on) }] : [];
        }),
        notice: noticeOf(c),
      }),
    );
  });
  return app;
}
