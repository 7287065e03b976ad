import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html, raw } from 'hono/html';
import * as client from 'openid-client';
import { page } from '../../platform/index.ts';
import { providerDiscovery } from '../provider-discovery.ts';

/**
 * A minimal relying party for trying the provider from a browser: it sees the provider only
 * through OpenID Connect (discovery, authorization code + PKCE, token, userinfo), like any
 * service would, and shows what it received.
 */
export function demoRelyingParty(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
  redirectUri: string;
}): Hono {
  const app = new Hono();
  const configuration = providerDiscovery(options);
  const cookie = { httpOnly: true, secure: true, sameSite: 'Lax' as const, path: '/demo', maxAge: 600 };

  app.get('/', (c) =>
    c.html(
      page({
        site: 'Service de démonstration',
        title: 'Service de démonstration',
        homeHref: '/demo',
        body: html`<h1>Service de démonstration</h1>
          <p>Ce service utilise Caducée comme Pro Santé Connect : il demande <code>openid scope_all</code> avec <code>acr_values=eidas1</code> et affiche ce qu'il reçoit.</p>
          <p><a class="button" href="/demo/connexion">Se connecter avec Pro Santé Connect</a></p>`,
      }),
    ),
  );

  app.get('/connexion', async (c) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    setCookie(c, 'demo_rp', JSON.stringify({ verifier, state, nonce }), cookie);
    const url = client.buildAuthorizationUrl(await configuration(), {
      redirect_uri: options.redirectUri,
      scope: 'openid scope_all',
      acr_values: 'eidas1',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return c.redirect(url.href, 303);
  });

  app.get('/callback', async (c) => {
    const saved = JSON.parse(getCookie(c, 'demo_rp') ?? '{}') as {
      verifier?: string;
      state?: string;
      nonce?: string;
    };
    deleteCookie(c, 'demo_rp', { path: '/demo', secure: true });
    const current = new URL(c.req.url);
    const callback = new URL(`${options.redirectUri}${current.search}`);
    let body: ReturnType<typeof html>;
    try {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: saved.verifier,
        expectedState: saved.state,
        expectedNonce: saved.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      body = html`<h1>Connecté</h1>
        <div class="status success" role="status">Bonjour ${String(userinfo.given_name ?? '')} ${String(userinfo.family_name ?? '')} (${String(claims.preferred_username ?? '')}).</div>
        <h2>Jeton d'identité</h2><pre>${JSON.stringify(claims, null, 2)}</pre>
        <h2>Userinfo (scope_all)</h2><pre>${raw(escapeHtml(JSON.stringify(userinfo, null, 2)))}</pre>
        <p><a class="button secondary" href="${client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: options.redirectUri.replace(/callback$/, '') }).href}">Se déconnecter</a></p>`;
    } catch (error) {
      body = html`<h1>La connexion a échoué</h1><div class="status error" role="alert">${String((error as Error).message)} ${String(current.searchParams.get('error_description') ?? '')}</div>
        <p><a href="/demo">Recommencer</a></p>`;
    }
    return c.html(page({ site: 'Service de démonstration', title: 'Résultat', homeHref: '/demo', body }));
  });
  return app;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
