import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type Provider from 'oidc-provider';
import type { Cards } from '../../cards/index.ts';
import type { Directory } from '../../directory/index.ts';
import type { Ecps } from '../../ecps/index.ts';
import {
  type AuditLog,
  asCaduceeError,
  type CaduceeError,
  clientAddressOf,
  isCaduceeError,
  limitedAddress,
  postedFromOrigin,
  type RateLimiter,
  type Settings,
  setRetryAfter,
  trustedProxies,
} from '../../platform/index.ts';
import { pscSubject } from '../claims/index.ts';
import {
  CardLoginFailed,
  EcpsLoginNotApproved,
  InteractionExpired,
  LoginFormForbidden,
  LoginRefused,
  TooManyLoginAttempts,
} from '../errors.ts';
import { ecpsWaitingPage, loginPage } from './pages.ts';

const REMEMBER_COOKIE = 'caducee_ecps_idnat';
const ECPS_WAIT_SCRIPT = readFileSync(new URL('./assets/ecps-wait.js', import.meta.url), 'utf8');

interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

const node = (c: Context) => c.env as NodeBindings;

/** Identifiers submitted on the login page are counted over 10 minutes. */
const LOGIN_FORM_WINDOW_SECONDS = 600;

/**
 * The provider's login pages (`/interaction/:uid`): the means offered, and each means' round
 * trip. oidc-provider's interaction cookie ties the page to the browser that began the login.
 */
export function interactionRoutes(options: {
  provider: () => Provider;
  settings: Settings;
  directory: Directory;
  cards: Cards;
  audit: AuditLog;
  deploymentId: string;
  ecps?: Ecps;
  /** Counts the identifiers submitted per address (in Redis in the scale-out mode). */
  rateLimiter: RateLimiter;
}): Hono {
  const { settings, cards, audit } = options;
  const app = new Hono();
  const idp = settings.idp.url.replace(/\/$/, '');
  const proxies = trustedProxies(settings.http.trustedProxies);
  const remote = (c: Context) => clientAddressOf(c, proxies);

  const details = async (c: Context) => {
    try {
      return await options.provider().interactionDetails(node(c).incoming, node(c).outgoing);
    } catch (error) {
      throw InteractionExpired({}, error);
    }
  };
  const clientName = async (clientId: unknown) => {
    const client = await options.provider().Client.find(String(clientId));
    return String(client?.clientName ?? client?.clientId ?? 'un service de santé');
  };
  const showLogin = async (c: Context, uid: string, clientId: unknown, error?: CaduceeError) => {
    if (error) setRetryAfter(c, error);
    return c.html(
      loginPage({
        settings,
        uid,
        clientName: await clientName(clientId),
        error,
        ecps: options.ecps
          ? { rememberedIdnat: (getCookie(c, REMEMBER_COOKIE) ?? '').replace(/\D/g, '') }
          : undefined,
      }),
      error ? (error.status === 429 ? 429 : 401) : 200,
    );
  };

  const finishLogin = async (
    c: Context,
    interaction: { uid: string; params: Record<string, unknown> },
    idnat: string,
    method: 'card' | 'ecps',
    amr: string[],
    authTime: number,
  ) => {
    await audit.record({
      type: 'oidc.login',
      outcome: 'success',
      actor: idnat,
      subject: String(interaction.params.client_id),
      ip: remote(c),
      method,
    });
    const redirect = await options.provider().interactionResult(
      node(c).incoming,
      node(c).outgoing,
      {
        login: {
          accountId: pscSubject(options.deploymentId, idnat),
          acr: method === 'card' ? settings.oidc.acrCard : settings.oidc.acrEcps,
          amr,
          ts: authTime,
        },
      },
      { mergeWithLastSubmission: false },
    );
    return c.redirect(redirect, 303);
  };

  app.get('/static/ecps-wait.js', (c) =>
    c.body(ECPS_WAIT_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  const offeredAcr = new Set([settings.oidc.acrCard, settings.oidc.acrEcps]);

  app.get('/:uid', async (c) => {
    const interaction = await details(c);
    if (interaction.uid !== c.req.param('uid')) throw InteractionExpired({});
    // Relying parties ask for eidas1 and must not get a weaker login than they asked for: an
    // acr we cannot satisfy ends the request at once, back at the relying party.
    const asked = String(interaction.params.acr_values ?? '')
      .split(' ')
      .filter(Boolean);
    if (asked.length > 0 && !asked.some((acr) => offeredAcr.has(acr))) {
      const redirect = await options.provider().interactionResult(
        node(c).incoming,
        node(c).outgoing,
        {
          error: 'unmet_authentication_requirements',
          error_description: `acr_values non pris en charge : ${asked.join(' ')}`,
        },
        { mergeWithLastSubmission: false },
      );
      return c.redirect(redirect, 303);
    }
    return showLogin(c, interaction.uid, interaction.params.client_id);
  });

  app.get('/:uid/carte', async (c) => {
    const interaction = await details(c);
    const { rid, nonce } = await cards.assertions.begin(
      'oidc',
      interaction.uid,
      settings.oidc.interactionTtl,
    );
    const target = new URL(`${settings.cardHost.url.replace(/\/$/, '')}/connexion`);
    target.searchParams.set('rid', rid);
    target.searchParams.set('nonce', nonce);
    target.searchParams.set('retour', `${idp}/interaction/${interaction.uid}/carte/retour`);
    return c.redirect(target.toString(), 303);
  });

  app.get('/:uid/carte/retour', async (c) => {
    const interaction = await details(c);
    const token = c.req.query('assertion');
    const failedCode = c.req.query('error');
    if (!token) {
      // Back from the card host's error page: it already said why; remind and offer to retry.
      const error = failedCode ? CardLoginFailed({ code: failedCode.replace(/[^A-Z_]/g, '') }) : undefined;
      return showLogin(c, interaction.uid, interaction.params.client_id, error);
    }
    try {
      const claims = await cards.assertions.redeem(token, interaction.uid);
      const person = await options.directory.find(claims.idnat);
      if (!person?.active) throw LoginRefused({ idnat: claims.idnat });
      return await finishLogin(c, interaction, claims.idnat, 'card', claims.amr, claims.authTime);
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      await audit.record({
        type: 'oidc.login',
        outcome: 'failure',
        subject: String(interaction.params.client_id),
        ip: remote(c),
        method: 'card',
        details: { code: error.code },
      });
      if (!isCaduceeError(thrown)) throw thrown;
      return showLogin(c, interaction.uid, interaction.params.client_id, error);
    }
  });

  app.post('/:uid/ecps', async (c) => {
    // Besides the interaction cookie (SameSite=Lax): a form posted from another site is refused
    // before anything is read or counted.
    if (!postedFromOrigin(c, new URL(idp).origin)) throw LoginFormForbidden({});
    const interaction = await details(c);
    const ecps = options.ecps;
    if (!ecps) throw InteractionExpired({});
    const form = await c.req.parseBody();
    const idnat = String(form.idnat ?? '').replace(/\s/g, '');
    if (form.memoriser === 'oui') {
      setCookie(c, REMEMBER_COOKIE, idnat, {
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        path: '/interaction',
        maxAge: 365 * 86_400,
      });
    } else deleteCookie(c, REMEMBER_COOKIE, { path: '/interaction', secure: true });
    try {
      // Per address, whatever the identifier: the e-CPS counts per professional only the
      // identifiers it knows, so without this anyone could try identifiers one after another.
      const counted = await options.rateLimiter.hit(
        `login-form:ip:${limitedAddress(remote(c))}`,
        settings.rateLimits.loginFormPerAddress,
        LOGIN_FORM_WINDOW_SECONDS,
      );
      if (!counted.allowed) throw TooManyLoginAttempts({ retryAfterSeconds: counted.retryAfterSeconds });
      const request = await ecps.createRequest({
        idnat,
        clientName: await clientName(interaction.params.client_id),
        origin: `oidc:${interaction.uid}`,
        withCode: true,
        ip: remote(c),
      });
      return c.redirect(`/interaction/${interaction.uid}/ecps/attente?demande=${request.id}`, 303);
    } catch (thrown) {
      if (!isCaduceeError(thrown)) throw thrown;
      // A flood refused by the limit is not recorded attempt by attempt: appends to the audit
      // chain are serialised, and must stay available to real logins.
      if (thrown.code !== TooManyLoginAttempts.code) {
        await audit.record({
          type: 'oidc.login',
          outcome: 'failure',
          ip: remote(c),
          method: 'ecps',
          details: { code: thrown.code },
        });
      }
      return showLogin(c, interaction.uid, interaction.params.client_id, thrown);
    }
  });

  const requestOf = async (c: Context, uid: string) => {
    const request = options.ecps ? await options.ecps.requestStatus(c.req.query('demande') ?? '') : undefined;
    // A request belongs to the interaction that made it: another browser cannot pick it up.
    if (!request || request.origin !== `oidc:${uid}`) throw InteractionExpired({});
    return request;
  };

  app.get('/:uid/ecps/attente', async (c) => {
    const interaction = await details(c);
    const request = await requestOf(c, interaction.uid);
    return c.html(
      ecpsWaitingPage({
        uid: interaction.uid,
        requestId: request.id,
        code: request.code ?? '',
        clientName: request.client_name,
        expiresAt: request.expires_at,
      }),
    );
  });

  app.get('/:uid/ecps/etat', async (c) => {
    const interaction = await details(c);
    const request = await requestOf(c, interaction.uid);
    return c.json({ status: request.status });
  });

  app.get('/:uid/ecps/fin', async (c) => {
    const interaction = await details(c);
    const request = await requestOf(c, interaction.uid);
    if (request.status === 'approved') {
      const person = await options.directory.find(request.idnat);
      if (!person?.active)
        return showLogin(
          c,
          interaction.uid,
          interaction.params.client_id,
          LoginRefused({ idnat: request.idnat }),
        );
      return finishLogin(
        c,
        interaction,
        request.idnat,
        'ecps',
        ['mfa', 'hwk', 'pin'],
        Math.floor(Date.parse(request.answered_at ?? '') / 1000),
      );
    }
    if (request.status === 'pending') {
      return c.redirect(`/interaction/${interaction.uid}/ecps/attente?demande=${request.id}`, 303);
    }
    return showLogin(
      c,
      interaction.uid,
      interaction.params.client_id,
      EcpsLoginNotApproved({ status: request.status }),
    );
  });

  app.get('/:uid/abandon', async (c) => {
    await details(c);
    const redirect = await options
      .provider()
      .interactionResult(
        node(c).incoming,
        node(c).outgoing,
        { error: 'access_denied', error_description: "L'utilisateur a annulé la connexion." },
        { mergeWithLastSubmission: false },
      );
    return c.redirect(redirect, 303);
  });
  return app;
}
