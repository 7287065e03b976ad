import type { Context } from 'hono';
import type { MailSender } from '../../messaging/index.ts';
import type { AuditLog, Logger } from '../../platform/index.ts';
import { type Account, type Accounts, displayName } from './accounts.ts';
import type { Attempts } from './attempts.ts';
import type { Delegations } from './delegations.ts';
import type { EmailCodes } from './email-codes.ts';
import { LoginRequired } from './errors.ts';
import type { AccountLinks } from './links.ts';
import type { Viewer } from './pages/layout.ts';
import type { PasswordResets } from './password-resets.ts';
import type { PatientFiles } from './patients.ts';
import type { Provider } from './provider.ts';
import type { LoggedIn, Sessions } from './sessions.ts';
import type { EspaceMedecinDb } from './store/tables.ts';
import type { Clock } from './time.ts';

/** What every route of the espace médecin works with, built once in app.ts. */
export interface EspaceMedecin {
  /** Public URL, without a trailing slash. */
  base: string;
  clock: Clock;
  db: EspaceMedecinDb;
  log: Logger;
  audit: AuditLog;
  mail: MailSender;
  provider: Provider;
  sessions: Sessions;
  accounts: Accounts;
  attempts: Attempts;
  codes: EmailCodes;
  resets: PasswordResets;
  delegations: Delegations;
  links: AccountLinks;
  patients: PatientFiles;
  /** The browser's address, for the attempt limits and the audit log (behind trusted proxies too). */
  clientAddress(c: Context): string;
}

export const form = async (c: Context) => (await c.req.parseBody()) as Record<string, unknown>;

export const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The logged-in session, its current account and the menu of the pages. */
export async function viewerOf(
  em: EspaceMedecin,
  c: Context,
): Promise<{ session: LoggedIn; account: Account; viewer: Viewer }> {
  const session = await em.sessions.require(c);
  const account = await em.accounts.byId(session.account_id);
  if (!account) {
    await em.sessions.close(c);
    throw LoginRequired({});
  }
  const reachable = [session.login_account_id, ...(await em.links.linked(session.login_account_id))].filter(
    (id) => id !== account.id,
  );
  const others = await em.accounts.byIds(reachable);
  return {
    session,
    account,
    viewer: {
      csrf: session.csrf,
      name: displayName(account),
      idnat: account.idnat,
      switchable: reachable.flatMap((id) => {
        const other = others.get(id);
        return other ? [{ id, idnat: other.idnat, label: other.profession_label || displayName(other) }] : [];
      }),
    },
  };
}

/** Fixed messages named in the query after a redirect, never text taken from the URL. */
export const NOTICES: Record<string, string> = {
  bienvenue: 'Votre compte est créé. Bienvenue dans l’espace médecin.',
  informations: 'Vos informations sont enregistrées.',
  delegation: 'La délégation est enregistrée.',
  'delegation-fin': 'La délégation est terminée : votre remplaçant n’a plus accès à vos dossiers.',
  liaison: 'Les deux comptes sont liés : vous pouvez passer de l’un à l’autre depuis le menu.',
  'liaison-fin': 'Les comptes ne sont plus liés.',
  cree: 'Le dossier est créé.',
  statut: 'Le statut du dossier est modifié.',
  'mot-de-passe': 'Votre mot de passe est modifié. Connectez-vous avec le nouveau.',
};

export const noticeOf = (c: Context) => NOTICES[c.req.query('ok') ?? ''];
