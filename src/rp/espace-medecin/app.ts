import type { Hono } from 'hono';
import type { MailSender } from '../../messaging/index.ts';
import {
  asCaduceeError,
  clientAddressOf,
  createApp,
  createAuditLog,
  isCaduceeError,
  type Logger,
  renderError,
  type Store,
  serveAssets,
  setRetryAfter,
  trustedProxies,
} from '../../platform/index.ts';
import { Accounts } from './accounts.ts';
import { Attempts } from './attempts.ts';
import type { EspaceMedecin } from './context.ts';
import { Delegations } from './delegations.ts';
import { EmailCodes } from './email-codes.ts';
import { LoginRequired } from './errors.ts';
import { AccountLinks } from './links.ts';
import { errorPage, loginPage } from './pages/login.ts';
import { PasswordResets } from './password-resets.ts';
import { PatientFiles } from './patients.ts';
import { Provider } from './provider.ts';
import { accountRoutes } from './routes/account.ts';
import { authRoutes } from './routes/auth.ts';
import { emailLoginRoutes } from './routes/email-login.ts';
import { homeRoutes } from './routes/home.ts';
import { linkRoutes } from './routes/links.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { patientRoutes } from './routes/patients.ts';
import { signupRoutes } from './routes/signup.ts';
import { checkSameOrigin, Sessions } from './sessions.ts';
import type { EspaceMedecinDb } from './store/tables.ts';
import type { Clock } from './time.ts';

/** The paths registered with the provider (redirect, post-logout and back-channel logout URIs). */
export const ESPACE_MEDECIN_PATHS = {
  callback: '/auth/callback',
  postLogout: '/deconnecte',
  backchannelLogout: '/auth/backchannel-logout',
} as const;

export interface EspaceMedecinOptions {
  /** Its own store (not the provider's), migrated with `espaceMedecinMigrations()`. */
  store: Store;
  /** This app's public URL (`settings.espaceMedecin.url`). */
  url: string;
  /** The provider, as registered: issuer, client credentials, and the CA its TLS chains to. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  caPem?: string;
  mail: MailSender;
  /** Application key (32 bytes, outside the database): HMAC of the e-mailed codes. */
  key: Buffer;
  log: Logger;
  /** Tests move time (code expiry, delegation periods). */
  clock?: Clock;
  /**
   * Reverse proxies in front of this app whose X-Forwarded-For is believed (addresses or CIDR
   * blocks, comma-separated, as `http.trustedProxies`); none: the TCP peer is the browser.
   */
  trustedProxies?: string;
}

/**
 * The "espace médecin libéral" (ViaTrajectoire-like): a relying party with its own database that
 * sees the provider only through OpenID Connect. Accounts are created by a first login with the
 * CPS card or the e-CPS; later logins go through the provider again or by password + e-mailed
 * code; delegations to a replacement, linked accounts and patient files live here.
 */
export function espaceMedecinApp(options: EspaceMedecinOptions): Hono {
  const base = options.url.replace(/\/$/, '');
  const origin = new URL(base).origin;
  const clock = options.clock ?? (() => new Date());
  const db = options.store.db as EspaceMedecinDb;
  const delegations = new Delegations(db, clock);
  const proxies = trustedProxies(options.trustedProxies ?? '');
  const em: EspaceMedecin = {
    base,
    clock,
    db,
    log: options.log,
    audit: createAuditLog(db, clock),
    mail: options.mail,
    provider: new Provider({
      issuer: options.issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      caPem: options.caPem,
      redirectUri: `${base}${ESPACE_MEDECIN_PATHS.callback}`,
      postLogoutRedirectUri: `${base}${ESPACE_MEDECIN_PATHS.postLogout}`,
    }),
    sessions: new Sessions(db, { clock, secure: new URL(base).protocol === 'https:' }),
    accounts: new Accounts(db, clock),
    attempts: new Attempts(db, clock),
    codes: new EmailCodes(db, { key: options.key, clock, mail: options.mail }),
    resets: new PasswordResets(db, { clock, mail: options.mail, base }),
    delegations,
    links: new AccountLinks(db, clock),
    patients: new PatientFiles(db, { clock, delegations }),
    clientAddress: (c) => clientAddressOf(c, proxies),
  };

  const app = createApp({
    service: 'espace-medecin',
    log: options.log,
    ready: () => options.store.ping(),
    // The logout form ends in a redirect to the provider's end-session endpoint.
    formTargets: [new URL(options.issuer).origin],
  });
  serveAssets(app);
  app.use(async (c, next) => {
    // The back-channel logout is the provider's server calling, with no browser involved.
    if (c.req.method === 'POST' && c.req.path !== ESPACE_MEDECIN_PATHS.backchannelLogout)
      checkSameOrigin(c, origin);
    await next();
    // Pages hold personal data and one-time tokens: never cached.
    if (!c.req.path.startsWith('/assets/')) c.header('cache-control', 'no-store');
  });
  app.route('/', authRoutes(em));
  app.route('/connexion/email', emailLoginRoutes(em));
  app.route('/inscription', signupRoutes(em));
  app.route('/mot-de-passe', passwordResetRoutes(em));
  app.route('/compte', accountRoutes(em));
  app.route('/compte', linkRoutes(em));
  app.route('/dossiers', patientRoutes(em));
  app.route('/', homeRoutes(em));
  app.onError(async (thrown, c) => {
    if (!isCaduceeError(thrown) || c.req.path.startsWith('/health/'))
      return renderError(thrown, c, options.log);
    const { error } = asCaduceeError(thrown);
    setRetryAfter(c, error);
    if (error.code === LoginRequired.code) {
      await em.sessions.close(c);
      const session = await em.sessions.ensure(c);
      return c.html(loginPage({ csrf: session.csrf, error }), 401);
    }
    return c.html(errorPage(error, c.req.path.startsWith('/compte') ? '/compte' : '/'), error.status as 400);
  });
  return app;
}
