import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Directory } from '../../directory/index.ts';
import type { Ecps } from '../../ecps/index.ts';
import { clientAddress, type Settings, trustedProxies } from '../../platform/index.ts';
import {
  nationalIdFromSubject,
  PSC_PROFILE_CLAIMS,
  PSC_SCOPE_ALL_CLAIMS,
  pscSubject,
  pscUserinfo,
} from '../claims/index.ts';
import { renderProviderError } from '../interaction/pages.ts';
import { CookieSigner } from '../keys/cookie-signer.ts';

/** Keycloak's paths, as Pro Santé Connect serves them: hard-coded PSC integrations keep working. */
export const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  end_session: '/protocol/openid-connect/logout',
  jwks: '/protocol/openid-connect/certs',
  introspection: '/protocol/openid-connect/token/introspect',
  revocation: '/protocol/openid-connect/revoke',
  backchannel_authentication: '/protocol/openid-connect/ext/ciba/auth',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
};

/**
 * Scopes a client may obtain with the client credentials grant, where no professional takes
 * part: never the scopes of a professional's identity (`openid`, `scope_all`…). No
 * machine-to-machine API is offered yet, so the list is empty and such a token carries no scope.
 */
export const CLIENT_CREDENTIALS_SCOPES: ReadonlySet<string> = new Set();

export interface ConfigurationInputs {
  settings: Settings;
  directory: Directory;
  deploymentId: string;
  cookieKeys: string[];
  jwks: { keys: object[] };
  adapter: Configuration['adapter'];
  /** Path prefix of the issuer (`''` at the root). */
  prefix: string;
  /** CIBA pushes its requests to the e-CPS app. */
  ecps?: Ecps;
}

function allowPrivateAddresses(settings: Settings): boolean {
  const setting = settings.oidc.outboundToPrivateAddresses;
  if (setting !== 'auto') return setting === 'allow';
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(settings.idp.url).hostname);
}

/** oidc-provider configured as Pro Santé Connect (PSC.md): scopes, claims, acr, TTLs, routes. */
export function providerConfiguration(inputs: ConfigurationInputs): Configuration {
  const { settings, directory, deploymentId } = inputs;
  const oidc = settings.oidc;
  const proxies = trustedProxies(settings.http.trustedProxies);
  return {
    adapter: inputs.adapter,
    jwks: inputs.jwks as Configuration['jwks'],
    cookies: {
      // Keygrip's interface, accepted by Koa's cookies: see CookieSigner.
      keys: new CookieSigner(inputs.cookieKeys) as unknown as string[],
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: true },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: true },
    },
    routes: KEYCLOAK_ROUTES,
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'scope_all', 'profile', 'email'],
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      // How and when the professional logged in goes in every ID token (oidc-provider only adds
      // standalone claims when the request names them).
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: PSC_PROFILE_CLAIMS,
      scope_all: PSC_SCOPE_ALL_CLAIMS,
      // The correspondence e-mail of the restricted extract is not handed out: the scope is
      // accepted for compatibility and carries nothing.
      email: [],
    },
    // PSC's ID tokens carry the identity (preferred_username…), not only sub.
    conformIdTokenClaims: false,
    acrValues: [...new Set([oidc.acrCard, oidc.acrEcps])],
    clientAuthMethods: [
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: oidc.signingAlg as 'ES256' | 'RS256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'RS256'],
      clientAuthSigningAlgValues: ['ES256', 'RS256', 'HS256', 'PS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
    },
    pkce: {
      // Public clients must use PKCE (S256, the only method oidc-provider offers); confidential
      // clients may.
      required: (_ctx: KoaContextWithOIDC, client) => client.clientAuthMethod === 'none',
    },
    features: {
      devInteractions: { enabled: false },
      // A client may introspect or revoke only the tokens issued to itself (a compromised relying
      // party must not learn about, or end, another's sessions).
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          !('clientId' in token) || token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // Only for clients registered with the grant (`caducee client add --grant-type
      // client_credentials`); the scopes it may carry are checked in extraTokenClaims below.
      clientCredentials: { enabled: true },
      jwtUserinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: true },
      ciba: {
        enabled: Boolean(inputs.ecps),
        deliveryModes: ['poll', 'ping'],
        // login_hint is the national identifier, as in PSC.
        processLoginHint: async (_ctx, loginHint) => {
          const person = await directory.find(String(loginHint).trim());
          if (!person?.active) throw new errors.UnknownUserId('identifiant national inconnu ou inactif');
          return pscSubject(deploymentId, person.nationalId);
        },
        processLoginHintToken: async () => {
          throw new errors.InvalidRequest('login_hint_token non pris en charge : utilisez login_hint');
        },
        validateBindingMessage: async (_ctx, bindingMessage) => {
          if (bindingMessage !== undefined && !/^[\p{L}\p{N} .,'!?#+/_:-]{1,60}$/u.test(bindingMessage)) {
            throw new errors.InvalidBindingMessage(
              'binding_message : 1 à 60 lettres, chiffres ou ponctuation simple',
            );
          }
        },
        validateRequestContext: async () => {},
        verifyUserCode: async () => {},
        triggerAuthenticationDevice: async (ctx, request, account, client) => {
          const idnat = nationalIdFromSubject(account.accountId)!;
          try {
            await inputs.ecps!.createRequest({
              idnat,
              clientName: String(client.clientName ?? client.clientId),
              origin: `ciba:${request.jti}`,
              ip: clientAddress(ctx.req, proxies),
              bindingMessage:
                typeof request.params?.binding_message === 'string'
                  ? request.params.binding_message
                  : undefined,
              // No screen shows a code in a decoupled login: the binding message plays that role.
              withCode: false,
            });
          } catch (error) {
            // A professional without an active e-CPS cannot be reached: the client hears so
            // (CIBA's unknown_user_id) instead of a server error.
            const code = (error as { code?: string }).code;
            if (code === 'ECPS_NOT_ACTIVATED' || code === 'ECPS_UNKNOWN_PROFESSIONAL')
              throw new errors.UnknownUserId((error as Error).message);
            // Too many requests to one phone (push bombing guard): the client is told why.
            if (code === 'ECPS_TOO_MANY_REQUESTS') throw new errors.InvalidRequest((error as Error).message);
            throw error;
          }
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = (await import('../interaction/pages.ts')).logoutConfirmPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = (await import('../interaction/pages.ts')).loggedOutPage();
        },
      },
    },
    ttl: {
      AccessToken: oidc.accessTokenTtl,
      AuthorizationCode: oidc.authorizationCodeTtl,
      IdToken: oidc.idTokenTtl,
      RefreshToken: oidc.refreshTokenTtl,
      ClientCredentials: oidc.accessTokenTtl,
      Interaction: oidc.interactionTtl,
      Session: oidc.sessionTtl,
      Grant: oidc.sessionTtl,
      BackchannelAuthenticationRequest: 120,
    },
    // Called before any access token is stored: a client credentials token asking for a scope
    // outside the allow-list is refused (oidc-provider would otherwise grant any scope asked).
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind === 'ClientCredentials') {
        const refused = String(token.scope ?? '')
          .split(' ')
          .filter((scope) => scope && !CLIENT_CREDENTIALS_SCOPES.has(scope));
        if (refused.length > 0)
          throw new errors.InvalidScope('scope non autorisé avec client_credentials', refused.join(' '));
      }
      return undefined;
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || code.scopes.has('scope_all')),
    interactions: {
      url: (_ctx, interaction) => `${inputs.prefix}/interaction/${interaction.uid}`,
    },
    // A federation of registered services: no consent screen. The grant covers what was asked.
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      const scope = ctx.oidc.params?.scope;
      if (typeof scope === 'string') grant.addOIDCScope(scope);
      const claims = ctx.oidc.params?.claims;
      if (typeof claims === 'string') {
        const requested = JSON.parse(claims) as { id_token?: object; userinfo?: object };
        grant.addOIDCClaims([
          ...Object.keys(requested.id_token ?? {}),
          ...Object.keys(requested.userinfo ?? {}),
        ]);
      }
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub) => {
      const idnat = nationalIdFromSubject(sub);
      const person = idnat ? await directory.find(idnat) : undefined;
      // A professional who left the directory gets no tokens, even from an existing session.
      if (!person?.active) return undefined;
      return {
        accountId: sub,
        claims: async () => pscUserinfo(person, { deploymentId }) as unknown as { sub: string },
      };
    },
    renderError: async (ctx, out, error) => {
      ctx.type = 'html';
      ctx.body = renderProviderError(out as unknown as Record<string, unknown>, error);
    },
    extraParams: ['channel'],
    // oidc-provider refuses outgoing calls to special-use addresses (SSRF); a deployment whose
    // services all run on this machine (the demo, tests) needs them.
    fetch: allowPrivateAddresses(settings)
      ? (url, options) => {
          const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & { dispatcher?: unknown };
          return globalThis.fetch(url, rest);
        }
      : (url, options) => globalThis.fetch(url, options),
    discovery: {
      // PSC advertises its CIBA channel extension and its test/realm metadata; we describe ours.
      service_documentation: `${settings.idp.url.replace(/\/$/, '')}/`,
      ui_locales_supported: ['fr-FR'],
      claims_locales_supported: ['fr-FR'],
    },
  };
}
