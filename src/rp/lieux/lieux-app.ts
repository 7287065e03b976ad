import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';
import { createApp, type Logger, serveAssets } from '../../platform/index.ts';
import { providerDiscovery } from '../provider-discovery.ts';
import { locationsPage, welcomePage } from './pages.ts';
import { type LieuxProfile, profileFromClaims } from './practice-locations.ts';
import { SealedCookie } from './sealed-cookie.ts';

const SESSION = 'lieux_session';
const LOGIN = 'lieux_login';

export interface LieuxOptions {
  /** This app's public URL (`settings.lieux.url`). */
  url: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Root certificate of the provider's TLS (the test PKI in the embedded default). */
  caPem: string;
  /** 32 bytes sealing the session cookie. */
  cookieKey: Buffer;
  log: Logger;
}

interface Login {
  verifier: string;
  state: string;
  nonce: string;
}

/**
 * The Santé.fr-like page of a professional's practice locations: a relying party that knows the
 * provider only through OpenID Connect, reading `SubjectRefPro` from userinfo.
 */
export function lieuxApp(options: LieuxOptions): Hono {
  const base = options.url.replace(/\/$/, '');
  const secure = new URL(base).protocol === 'https:' || new URL(base).hostname === 'localhost';
  const sessions = new SealedCookie<LieuxProfile & { csrf: string }>(options.cookieKey, 8 * 3600);
  const logins = new SealedCookie<Login>(options.cookieKey, 600);
  const configuration = providerDiscovery(options);
  const cookie = { httpOnly: true, secure, sameSite: 'Lax' as const, path: '/' };

  const app = createApp({
    service: 'lieux',
    log: options.log,
    ready: async () => void (await configuration()),
    formTargets: [new URL(options.issuer).origin],
  });
  serveAssets(app);
  const routes = new Hono();

  routes.get('/', (c) => {
    const session = sessions.open(getCookie(c, SESSION));
    return c.html(session ? locationsPage(session, session.csrf) : welcomePage());
  });

  routes.get('/connexion', async (c) => {
    const login: Login = {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
    };
    setCookie(c, LOGIN, logins.seal(login), { ...cookie, maxAge: 600 });
    const url = client.buildAuthorizationUrl(await configuration(), {
      redirect_uri: `${base}/auth/callback`,
      scope: 'openid scope_all',
      acr_values: 'eidas1',
      code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    });
    return c.redirect(url.href, 303);
  });

  routes.get('/auth/callback', async (c) => {
    const login = logins.open(getCookie(c, LOGIN));
    deleteCookie(c, LOGIN, cookie);
    const current = new URL(c.req.url);
    if (!login) return c.html(welcomePage('La connexion a expiré. Recommencez.'), 400);
    try {
      const oidc = await configuration();
      const tokens = await client.authorizationCodeGrant(
        oidc,
        new URL(`${base}/auth/callback${current.search}`),
        {
          pkceCodeVerifier: login.verifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        },
      );
      const userinfo = await client.fetchUserInfo(oidc, tokens.access_token, tokens.claims()!.sub);
      const profile = profileFromClaims(userinfo as Record<string, unknown>);
      setCookie(
        c,
        SESSION,
        sessions.seal({ ...profile, csrf: randomBytes(16).toString('base64url') }),
        cookie,
      );
      return c.redirect('/', 303);
    } catch (error) {
      options.log.warn({ err: error }, 'lieux: login failed');
      const described = current.searchParams.get('error_description');
      return c.html(welcomePage(`La connexion a échoué${described ? ` : ${described}` : '.'}`), 400);
    }
  });

  // Ends the local session, then the provider's (RP-initiated logout, by client_id: the sealed
  // cookie does not keep the ID token).
  routes.post('/deconnexion', async (c) => {
    const session = sessions.open(getCookie(c, SESSION));
    const form = await c.req.parseBody();
    const sent = createHash('sha256')
      .update(String(form.csrf ?? ''))
      .digest();
    const expected = createHash('sha256')
      .update(session?.csrf ?? randomBytes(16).toString('hex'))
      .digest();
    if (!session || !timingSafeEqual(sent, expected)) return c.redirect('/', 303);
    deleteCookie(c, SESSION, cookie);
    const end = client.buildEndSessionUrl(await configuration(), {
      client_id: options.clientId,
      post_logout_redirect_uri: `${base}/`,
    });
    return c.redirect(end.href, 303);
  });

  app.route('/', routes);
  return app;
}
