import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { securityHeaders, withFormTargets } from '../../platform/index.ts';
import type { ProviderHolder } from '../provider/provider-holder.ts';

/**
 * One Node listener for the provider's origin: oidc-provider answers its own paths (Keycloak's
 * `/protocol/openid-connect/*` and `/.well-known/*`, under the issuer's path), Hono the rest
 * (login pages, card hand-off, directory API, health). PSC clients read discovery from the
 * non-standard `wallet-openid-configuration`: it is the same document.
 *
 * oidc-provider's responses get the same security headers as our own pages: they are set on the
 * Node response before it is handed over, so that whatever answers (the provider's routes, its
 * error handler, middleware added to it) carries them.
 */
export function providerOriginListener(options: { app: Hono; holder: ProviderHolder; prefix: string }) {
  const hono = getRequestListener(options.app.fetch);
  const { prefix, holder } = options;
  const headers = Object.entries(securityHeaders());
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const local = prefix && path.startsWith(`${prefix}/`) ? url.slice(prefix.length) : url;
    const localPath = local.split('?')[0]!;
    if (localPath.startsWith('/protocol/openid-connect/') || localPath.startsWith('/.well-known/')) {
      try {
        await holder.refresh();
      } catch {
        // Keys could not be read (database down): keep serving with the current provider.
      }
      req.url =
        localPath === '/.well-known/wallet-openid-configuration'
          ? local.replace('wallet-openid-configuration', 'openid-configuration')
          : local;
      // oidc-provider reads the CSP while it renders its form_post page, to add the hash of the
      // page's inline script to `script-src`: the header must be there first.
      for (const [name, value] of headers) res.setHeader(name, value);
      // oidc-provider resolves its own paths against the issuer; it must see them unprefixed.
      return withClientFormTargets(holder.current()).callback()(req, res);
    }
    return hono(req, res);
  };
}

const decorated = new WeakSet<Provider>();

/**
 * Two of oidc-provider's pages end at the relying party: the form_post response (its form posts
 * to the redirect URI) and the logout confirmation (its form posts here, then redirects to the
 * post-logout URI). Browsers check both against `form-action`, so a page answered for a client
 * names that client's registered origins, and no other. The provider is rebuilt on key rotation:
 * each instance is given the middleware once.
 */
function withClientFormTargets(provider: Provider): Provider {
  if (decorated.has(provider)) return provider;
  decorated.add(provider);
  provider.use(async (ctx, next) => {
    await next();
    const client = (ctx as Partial<KoaContextWithOIDC>).oidc?.client;
    const csp = ctx.response.get('content-security-policy');
    if (!client || !csp || !ctx.response.is('html')) return;
    const origins = new Set<string>();
    for (const uri of [...(client.redirectUris ?? []), ...(client.postLogoutRedirectUris ?? [])]) {
      // A native app's own scheme has no origin to name; no HTML form posts there.
      if (URL.canParse(uri) && /^https?:$/.test(new URL(uri).protocol)) origins.add(new URL(uri).origin);
    }
    ctx.set('content-security-policy', withFormTargets(csp, [...origins]));
  });
  return provider;
}
