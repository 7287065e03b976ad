import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, Hono } from 'hono';
import type Provider from 'oidc-provider';
import type { Cards } from '../../cards/index.ts';
import type { Directory } from '../../directory/index.ts';
import {
  type AuditLog,
  asCaduceeError,
  type CaduceeError,
  isCaduceeError,
  type Settings,
} from '../../platform/index.ts';
import { pscSubject } from '../claims/index.ts';
import { CardLoginFailed, InteractionExpired, LoginRefused } from '../errors.ts';
import { loginPage } from './pages.ts';

interface NodeBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

const node = (c: Context) => c.env as NodeBindings;

function remote(c: Context): string {
  return (node(c).incoming.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

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
}): Hono {
  const { settings, cards, audit } = options;
  const app = new Hono();
  const idp = settings.idp.url.replace(/\/$/, '');

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
  const showLogin = async (c: Context, uid: string, clientId: unknown, error?: CaduceeError) =>
    c.html(loginPage({ settings, uid, clientName: await clientName(clientId), error }), error ? 401 : 200);

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
      await audit.record({
        type: 'oidc.login',
        outcome: 'success',
        actor: claims.idnat,
        subject: String(interaction.params.client_id),
        ip: remote(c),
        method: 'card',
      });
      const redirect = await options.provider().interactionResult(
        node(c).incoming,
        node(c).outgoing,
        {
          login: {
            accountId: pscSubject(options.deploymentId, claims.idnat),
            acr: settings.oidc.acrCard,
            amr: claims.amr,
            ts: claims.authTime,
          },
        },
        { mergeWithLastSubmission: false },
      );
      return c.redirect(redirect, 303);
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
