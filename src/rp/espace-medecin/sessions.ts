import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { atMostEvery, postedFromOrigin } from '../../platform/index.ts';
import type { PersonalInformation } from './accounts.ts';
import { ForbiddenRequest, LoginRequired } from './errors.ts';
import type { ProfessionalIdentity } from './identity.ts';
import { randomToken, sameText, sha256 } from './secrets.ts';
import type { EspaceMedecinDb, SessionTable } from './store/tables.ts';
import { addMinutes, type Clock } from './time.ts';

const COOKIE = 'espace_medecin_session';
/** A visitor who has not logged in: long enough to fill a form or go through the provider. */
const ANONYMOUS_MINUTES = 60;
/** Logged in: ended after 30 minutes without activity, and 10 hours after the login anyway. */
const IDLE_MINUTES = 30;
const ABSOLUTE_MINUTES = 600;

/** Short-lived state of a session, kept server side (never in a cookie). */
export interface SessionData {
  /** A provider login in progress: what the callback must find again. */
  oidc?: { state: string; nonce: string; verifier: string; purpose: 'login' | 'link'; means: 'cps' | 'ecps' };
  /**
   * A provider login whose professional has no account yet: the creation form, then the
   * charter. The account is created only when the charter is accepted; until then the form's
   * values (the password already hashed) wait here.
   */
  signup?: {
    identity: ProfessionalIdentity;
    oidc: { sub: string; sid: string | null; idToken: string };
    method: string;
    until: string;
    information?: PersonalInformation;
    passwordHash?: string;
  };
}

export interface Session extends Omit<SessionTable, 'data'> {
  data: SessionData;
}

export interface LoggedIn extends Session {
  account_id: string;
  login_account_id: string;
  method: string;
}

/**
 * Server-side sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure over https),
 * only its hash in the store. Lax rather than Strict: the provider sends the browser back to
 * the callback by a top-level navigation from another site, which must carry the cookie.
 */
export class Sessions {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;
  readonly #secure: boolean;
  readonly #current = new WeakMap<Context, Session | null>();
  readonly #purgeDue = atMostEvery(60_000);

  constructor(db: EspaceMedecinDb, options: { clock: Clock; secure: boolean }) {
    this.#db = db;
    this.#clock = options.clock;
    this.#secure = options.secure;
  }

  async current(c: Context): Promise<Session | undefined> {
    if (this.#current.has(c)) return this.#current.get(c) ?? undefined;
    const id = getCookie(c, COOKIE);
    let session: Session | undefined;
    if (id) {
      const row = await this.#db
        .selectFrom('session')
        .selectAll()
        .where('id_hash', '=', sha256(id))
        .executeTakeFirst();
      if (row && row.expires_at > this.#clock().toISOString())
        session = { ...row, data: JSON.parse(row.data) };
    }
    this.#current.set(c, session ?? null);
    return session;
  }

  /** The visitor's session, opened if there is none (every form needs its token). */
  async ensure(c: Context): Promise<Session> {
    return (await this.current(c)) ?? (await this.#open(c, {}));
  }

  /** The logged-in session, else ESPACE_MEDECIN_LOGIN_REQUIRED. Activity pushes the idle limit. */
  async require(c: Context): Promise<LoggedIn> {
    const session = await this.current(c);
    if (!session?.account_id || !session.login_account_id || !session.method) throw LoginRequired({});
    const now = this.#clock();
    const expires = new Date(
      Math.min(
        addMinutes(now, IDLE_MINUTES).getTime(),
        addMinutes(new Date(session.created_at), ABSOLUTE_MINUTES).getTime(),
      ),
    ).toISOString();
    // One write a minute at most: reading a page should not always write.
    if (expires > addMinutes(new Date(session.expires_at), 1).toISOString()) {
      await this.#db
        .updateTable('session')
        .set({ expires_at: expires })
        .where('id_hash', '=', session.id_hash)
        .execute();
      session.expires_at = expires;
    }
    return session as LoggedIn;
  }

  async setData(session: Session, data: SessionData): Promise<void> {
    session.data = data;
    await this.#db
      .updateTable('session')
      .set({ data: JSON.stringify(data) })
      .where('id_hash', '=', session.id_hash)
      .execute();
  }

  /**
   * Logs in: a new session id (the one used before login could have been planted), the old
   * session gone.
   */
  async login(
    c: Context,
    input: {
      accountId: string;
      method: string;
      oidc?: { sub: string; sid: string | null; idToken: string };
    },
  ): Promise<LoggedIn> {
    await this.close(c);
    return (await this.#open(c, {
      account_id: input.accountId,
      login_account_id: input.accountId,
      method: input.method,
      oidc_sub: input.oidc?.sub ?? null,
      oidc_sid: input.oidc?.sid ?? null,
      id_token: input.oidc?.idToken ?? null,
    })) as LoggedIn;
  }

  /** Switches to a linked account (the caller checked the link). */
  async switchTo(session: LoggedIn, accountId: string): Promise<void> {
    await this.#db
      .updateTable('session')
      .set({ account_id: accountId })
      .where('id_hash', '=', session.id_hash)
      .execute();
    session.account_id = accountId;
  }

  /** The provider session this session now follows (after a new provider login in it). */
  async setProviderSession(session: LoggedIn, oidc: { sub: string; sid: string | null; idToken: string }) {
    await this.#db
      .updateTable('session')
      .set({ oidc_sub: oidc.sub, oidc_sid: oidc.sid, id_token: oidc.idToken })
      .where('id_hash', '=', session.id_hash)
      .execute();
  }

  async close(c: Context): Promise<Session | undefined> {
    const session = await this.current(c);
    if (session) await this.#db.deleteFrom('session').where('id_hash', '=', session.id_hash).execute();
    deleteCookie(c, COOKIE, { path: '/', secure: this.#secure });
    this.#current.set(c, null);
    return session;
  }

  /** Back-channel logout: the sessions of that provider session (or, without `sid`, of that subject). */
  async endProviderSessions(input: { sid?: string; sub?: string }): Promise<number> {
    let query = this.#db.deleteFrom('session');
    if (input.sid) query = query.where('oidc_sid', '=', input.sid);
    else if (input.sub) query = query.where('oidc_sub', '=', input.sub);
    else return 0;
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** After a password reset: whoever was logged in with the old password is logged out. */
  async endAccountSessions(accountId: string): Promise<void> {
    await this.#db.deleteFrom('session').where('login_account_id', '=', accountId).execute();
  }

  /** Every form posted within a session carries that session's token. */
  checkCsrf(session: Session | undefined, form: Record<string, unknown>): void {
    if (!session || !sameText(String(form.csrf ?? ''), session.csrf))
      throw ForbiddenRequest({ reason: 'jeton de formulaire absent ou périmé' });
  }

  async #open(c: Context, fields: Partial<SessionTable>): Promise<Session> {
    const id = randomToken();
    const now = this.#clock();
    const minutes = fields.account_id ? IDLE_MINUTES : ANONYMOUS_MINUTES;
    const row: SessionTable = {
      id_hash: sha256(id),
      csrf: randomToken(24),
      account_id: null,
      login_account_id: null,
      method: null,
      oidc_sid: null,
      oidc_sub: null,
      id_token: null,
      data: '{}',
      created_at: now.toISOString(),
      expires_at: addMinutes(now, minutes).toISOString(),
      ...fields,
    };
    await this.#db.insertInto('session').values(row).execute();
    // Expired sessions go as new ones come, so the table never grows without bound; once a
    // minute is enough, an expired session being refused when read.
    if (this.#purgeDue(now))
      await this.#db.deleteFrom('session').where('expires_at', '<', now.toISOString()).execute();
    setCookie(c, COOKIE, id, { httpOnly: true, secure: this.#secure, sameSite: 'Lax', path: '/' });
    const session = { ...row, data: JSON.parse(row.data) as SessionData };
    this.#current.set(c, session);
    return session;
  }
}

/**
 * Every POST must come from this application's own pages (the provider's back-channel logout
 * call comes from no browser and passes).
 */
export function checkSameOrigin(c: Context, origin: string): void {
  if (!postedFromOrigin(c, origin)) throw ForbiddenRequest({ reason: 'origine' });
}
