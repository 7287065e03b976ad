import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { Directory } from '../../directory/index.ts';
import {
  type AuditLog,
  asCaduceeError,
  clientAddressOf,
  errorSection,
  page,
  type Settings,
  trustedProxies,
} from '../../platform/index.ts';
import type { Cards } from '../cards.ts';

const COOKIE = 'caducee_card_rid';
const SITE = 'Caducée';

/**
 * Card login on the main origin, before the OpenID provider uses it: start a request, go to the
 * card host, come back with its assertion, and show who logged in.
 */
export function cardLoginRoutes(options: {
  cards: Cards;
  directory: Directory;
  settings: Settings;
  audit: AuditLog;
}): Hono {
  const { cards, settings, audit } = options;
  const app = new Hono();
  const idp = settings.idp.url.replace(/\/$/, '');
  const cardHost = settings.cardHost.url.replace(/\/$/, '');
  const proxies = trustedProxies(settings.http.trustedProxies);

  app.get('/', (c) =>
    c.html(
      page({
        site: SITE,
        title: 'Connexion par carte CPS',
        body: html`<h1>Connexion par carte CPS</h1>
          <p>Insérez votre carte CPS dans le lecteur, puis cliquez sur le bouton. Votre navigateur vous demandera de choisir le certificat de votre carte et votre code porteur.</p>
          <p><a class="button" href="/carte-cps/demarrer">Se connecter avec ma carte CPS</a></p>
          <p><a href="${cardHost}/">Tester ma carte</a> : vérifiez que votre carte est lue par ce poste.</p>`,
      }),
    ),
  );

  app.get('/demarrer', async (c) => {
    const { rid, nonce } = await cards.assertions.begin('card-page');
    setCookie(c, COOKIE, rid, {
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/carte-cps',
      maxAge: 600,
    });
    const target = new URL(`${cardHost}/connexion`);
    target.searchParams.set('rid', rid);
    target.searchParams.set('nonce', nonce);
    target.searchParams.set('retour', `${idp}/carte-cps/retour`);
    return c.redirect(target.toString(), 303);
  });

  app.get('/retour', async (c) => {
    const token = c.req.query('assertion');
    if (!token) return c.redirect('/carte-cps', 303);
    try {
      const claims = await cards.assertions.redeem(token, getCookie(c, COOKIE));
      deleteCookie(c, COOKIE, { path: '/carte-cps', secure: true });
      const person = await options.directory.get(claims.idnat);
      await audit.record({
        type: 'card.assertion',
        outcome: 'success',
        actor: claims.idnat,
        subject: claims.serial,
        ip: clientAddressOf(c, proxies),
        method: 'card',
      });
      const exercice = person.exercices[0];
      return c.html(
        page({
          site: SITE,
          title: 'Connecté avec la carte CPS',
          body: html`<h1>Vous êtes connecté avec votre carte CPS</h1>
            <dl class="facts">
              <dt>Professionnel</dt><dd>${[exercice?.civiliteExercice?.label, exercice?.prenomExercice, exercice?.nomExercice].filter(Boolean).join(' ')}</dd>
              <dt>Identifiant national</dt><dd data-testid="idnat">${claims.idnat}</dd>
              <dt>Profession</dt><dd>${exercice?.profession.label ?? ''}</dd>
              <dt>Moyen</dt><dd>carte CPS (certificat ${claims.serial})</dd>
            </dl>`,
        }),
      );
    } catch (thrown) {
      const { error } = asCaduceeError(thrown);
      await audit.record({
        type: 'card.assertion',
        outcome: 'failure',
        ip: clientAddressOf(c, proxies),
        method: 'card',
        details: { code: error.code },
      });
      return c.html(
        page({
          site: SITE,
          title: 'Connexion par carte impossible',
          body: html`<h1>Connexion par carte CPS impossible</h1>
            ${errorSection(error)}
            <p><a class="button" href="/carte-cps">Recommencer</a></p>`,
        }),
        error.status as 401,
      );
    }
  });
  return app;
}
