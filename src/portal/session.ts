import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { postedFromOrigin } from '../platform/index.ts';
import { PortalCardRequired, PortalForbiddenRequest, PortalLoginRequired } from './errors.ts';
import type { PortalDb, PortalSessionTable } from './store/tables.ts';

export const PORTAL_PATH = '/ecps/portail';
const COOKIE = 'caducee_portail';

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Portal sessions: a random id in an HttpOnly, Secure, SameSite=Strict cookie; its hash in the store. */
export class PortalSessions {
  readonly #db: PortalDb;
  readonly #minutes: number;
  readonly #clock: () => Date;

  constructor(db: PortalDb, minutes: number, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#minutes = minutes;
    this.#clock = clock;
  }

  async open(c: Context, idnat: string, method: PortalSessionTable['method']): Promise<void> {
    await this.close(c);
    const id = randomBytes(32).toString('base64url');
    const now = this.#clock();
    await this.#db
      .insertInto('portal_session')
      .values({
        id_hash: hash(id),
        idnat,
        method,
        csrf: randomBytes(24).toString('base64url'),
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + this.#minutes * 60_000).toISOString(),
      })
      .execute();
    await this.#db.deleteFrom('portal_session').where('expires_at', '<', now.toISOString()).execute();
    setCookie(c, COOKIE, id, {
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: PORTAL_PATH,
      maxAge: this.#minutes * 60,
    });
  }

  async current(c: Context): Promise<PortalSessionTable | undefined> {
    const id = getCookie(c, COOKIE);
    if (!id) return undefined;
    const session = await this.#db
      .selectFrom('portal_session')
      .selectAll()
      .where('id_hash', '=', hash(id))
      .executeTakeFirst();
    if (!session || session.expires_at < this.#clock().toISOString()) return undefined;
    return session;
  }

  /** The session, else PORTAL_LOGIN_REQUIRED; `card` demands a card login. */
  async require(c: Context, need: 'any' | 'card' = 'any'): Promise<PortalSessionTable> {
    const session = await this.current(c);
    if (!session) throw PortalLoginRequired({});
    if (need === 'card' && session.method !== 'card') throw PortalCardRequired({});
    return session;
  }

  /** A form posted within a session must carry that session's token. */
  checkCsrf(session: PortalSessionTable, form: Record<string, unknown>): void {
    if (!sameText(String(form.csrf ?? ''), session.csrf))
      throw PortalForbiddenRequest({ reason: 'jeton de formulaire' });
  }

  async close(c: Context): Promise<void> {
    const id = getCookie(c, COOKIE);
    if (id) await this.#db.deleteFrom('portal_session').where('id_hash', '=', hash(id)).execute();
    deleteCookie(c, COOKIE, { path: PORTAL_PATH, secure: true });
  }
}

/** Every POST of the portal must come from the portal's own pages. */
export function checkSameOrigin(c: Context, origin: string): void {
  if (!postedFromOrigin(c, origin)) throw PortalForbiddenRequest({ reason: 'origine' });
}
