import { createRemoteJWKSet, customFetch as joseCustomFetch, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { ProviderLoginFailed } from './errors.ts';
import { randomToken } from './secrets.ts';

export interface ProviderOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Root certificate to trust for the provider's TLS (the test PKI in the embedded default). */
  caPem?: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

/** What the login in progress must find again at the callback. */
export interface LoginChecks {
  state: string;
  nonce: string;
  verifier: string;
}

export interface ProviderLogin {
  claims: Record<string, unknown>;
  sub: string;
  sid: string | null;
  idToken: string;
  /** `card` or `ecps`, from `amr`. */
  method: 'card' | 'ecps';
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * The provider as any PSC relying party sees it: OpenID Connect only (discovery, authorization
 * code with PKCE, token, userinfo, end session, back-channel logout tokens checked against the
 * published keys). No call into the provider's code or database.
 */
export class Provider {
  readonly #options: ProviderOptions;
  readonly #fetch: typeof fetch;
  #config: Promise<client.Configuration> | undefined;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(options: ProviderOptions) {
    this.#options = options;
    const dispatcher = options.caPem ? new Agent({ connect: { ca: options.caPem } }) : undefined;
    this.#fetch = (dispatcher
      ? (url: string | URL, init?: RequestInit) => undiciFetch(url, { ...init, dispatcher } as never)
      : fetch) as unknown as typeof fetch;
  }

  /** Discovery, cached; a failure is retried at the next login rather than remembered. */
  configuration(): Promise<client.Configuration> {
    this.#config ??= client
      .discovery(
        new URL(this.#options.issuer),
        this.#options.clientId,
        this.#options.clientSecret,
        undefined,
        {
          [client.customFetch]: this.#fetch as unknown as client.CustomFetch,
        },
      )
      .catch((error) => {
        this.#config = undefined;
        throw ProviderLoginFailed({ reason: 'le service d’identité ne répond pas' }, error);
      });
    return this.#config;
  }

  /**
   * Where to send the browser: PSC's request (`openid scope_all`, `acr_values=eidas1`), with
   * PKCE, state and nonce. `forceLogin` asks for a new authentication even if the provider
   * already has a session (to prove a second account, not reuse the first).
   */
  async authorizationUrl(forceLogin = false): Promise<{ url: URL; checks: LoginChecks }> {
    const config = await this.configuration();
    const checks: LoginChecks = {
      state: randomToken(16),
      nonce: randomToken(16),
      verifier: client.randomPKCECodeVerifier(),
    };
    const parameters: Record<string, string> = {
      redirect_uri: this.#options.redirectUri,
      scope: 'openid scope_all',
      acr_values: 'eidas1',
      code_challenge: await client.calculatePKCECodeChallenge(checks.verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    };
    if (forceLogin) parameters.prompt = 'login';
    return { url: client.buildAuthorizationUrl(config, parameters), checks };
  }

  /** Exchanges the code, checks the ID token (state, nonce, PKCE, acr) and reads userinfo. */
  async callback(currentUrl: URL, checks: LoginChecks): Promise<ProviderLogin> {
    const config = await this.configuration();
    const error = currentUrl.searchParams.get('error');
    if (error) {
      throw ProviderLoginFailed({
        reason:
          error === 'access_denied'
            ? 'connexion annulée'
            : currentUrl.searchParams.get('error_description') || error,
      });
    }
    // Only the parameters of the response: the callback URL as registered, whatever the Host.
    const callback = new URL(this.#options.redirectUri);
    callback.search = currentUrl.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (thrown) {
      throw ProviderLoginFailed({ reason: 'la réponse du service d’identité est invalide' }, thrown);
    }
    const idClaims = tokens.claims()!;
    if (idClaims.acr !== 'eidas1')
      throw ProviderLoginFailed({ reason: `niveau d'authentification ${String(idClaims.acr)} insuffisant` });
    let userinfo: Record<string, unknown>;
    try {
      userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    } catch (thrown) {
      throw ProviderLoginFailed({ reason: 'le profil du professionnel est indisponible' }, thrown);
    }
    const amr = Array.isArray(idClaims.amr) ? (idClaims.amr as string[]) : [];
    return {
      claims: { ...idClaims, ...userinfo },
      sub: idClaims.sub,
      sid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
      idToken: tokens.id_token!,
      method: amr.includes('sc') ? 'card' : 'ecps',
    };
  }

  /** RP-initiated logout: the provider ends its session too, then comes back here. */
  async endSessionUrl(idToken: string): Promise<URL> {
    return client.buildEndSessionUrl(await this.configuration(), {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.#options.postLogoutRedirectUri,
      state: randomToken(16),
    });
  }

  /**
   * Checks a back-channel logout token (OpenID Connect Back-Channel Logout 1.0, §2.6): signed by
   * the provider's published keys, issued by it for this client, recent, carrying the logout
   * event, a `sid` or a `sub`, and no nonce.
   */
  async verifyLogoutToken(token: string): Promise<{ jti: string; sid?: string; sub?: string; exp: number }> {
    const config = await this.configuration();
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw new Error('no jwks_uri in discovery');
    this.#jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri), {
      [joseCustomFetch]: this.#fetch as never,
    });
    const { payload } = await jwtVerify(token, this.#jwks, {
      issuer: metadata.issuer,
      audience: this.#options.clientId,
      maxTokenAge: '5 minutes',
      requiredClaims: ['iat', 'jti', 'events'],
    });
    const events = payload.events as Record<string, unknown> | undefined;
    if (!events || typeof events[BACKCHANNEL_EVENT] !== 'object') throw new Error('not a logout token');
    if ('nonce' in payload) throw new Error('a logout token has no nonce');
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    if (!sid && !sub) throw new Error('neither sid nor sub');
    return { jti: payload.jti!, sid, sub, exp: payload.exp ?? Math.floor(Date.now() / 1000) + 300 };
  }
}
