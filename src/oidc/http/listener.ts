import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ProviderHolder } from '../provider/provider-holder.ts';

/**
 * One Node listener for the provider's origin: oidc-provider answers its own paths (Keycloak's
 * `/protocol/openid-connect/*` and `/.well-known/*`, under the issuer's path), Hono the rest
 * (login pages, card hand-off, directory API, health). PSC clients read discovery from the
 * non-standard `wallet-openid-configuration`: it is the same document.
 */
export function providerOriginListener(options: { app: Hono; holder: ProviderHolder; prefix: string }) {
  const hono = getRequestListener(options.app.fetch);
  const { prefix, holder } = options;
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
      // oidc-provider resolves its own paths against the issuer; it must see them unprefixed.
      return holder.current().callback()(req, res);
    }
    return hono(req, res);
  };
}
