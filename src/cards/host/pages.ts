import { html } from 'hono/html';
import type { CaduceeError } from '../../platform/index.ts';
import { errorSection, page } from '../../platform/index.ts';
import type { CardIdentity } from '../verify/context.ts';

const SITE = 'Caducée — carte CPS';

const dateFr = (iso: string) =>
  new Date(iso).toLocaleDateString('fr-FR', {
    timeZone: 'Europe/Paris',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });

const checklist = html`<h2>Avant de réessayer</h2>
  <ul>
    <li>la carte CPS est insérée dans le lecteur, puce vers le haut ;</li>
    <li>le lecteur est branché (son voyant est allumé) ;</li>
    <li>le logiciel de la carte (Cryptolib CPS) est installé et le navigateur a été redémarré après son installation ;</li>
    <li>si le navigateur propose plusieurs certificats, choisissez celui qui porte votre nom et saisissez votre code porteur (4 chiffres).</li>
  </ul>
  <p class="muted">Après trois codes porteur faux, la carte est bloquée : débloquez-la avec son code de déblocage.</p>`;

/** "Tester ma carte": the DiagCPS-like diagnosis. */
export function testCardPage(result: { identity: CardIdentity } | { error: CaduceeError }) {
  if ('identity' in result) {
    const { identity } = result;
    const exercice = identity.person.exercices[0];
    return page({
      site: SITE,
      title: 'Carte lue',
      body: html`<h1>Tester ma carte</h1>
        <div class="status success" role="status"><strong>Carte lue.</strong> Votre carte CPS fonctionne avec ce poste.</div>
        <dl class="facts">
          <dt>Porteur</dt><dd>${[exercice?.civiliteExercice?.label, identity.holder.givenName, identity.holder.surname].filter(Boolean).join(' ')}</dd>
          <dt>Identifiant national</dt><dd>${identity.idnat}</dd>
          <dt>Profession</dt><dd>${exercice?.profession.label ?? identity.holder.title}</dd>
          <dt>Valable jusqu'au</dt><dd>${dateFr(identity.notAfter)}</dd>
          <dt>Numéro de série</dt><dd>${identity.serial}</dd>
        </dl>`,
    });
  }
  const { error } = result;
  return page({
    site: SITE,
    title: 'Carte non lue',
    body: html`<h1>Tester ma carte</h1>
      ${errorSection(error, { lead: 'Carte non lue.' })}
      ${checklist}`,
  });
}

/** A card login that failed: why, what to do, and the way to the diagnosis. */
export function loginErrorPage(error: CaduceeError, returnHref: string | undefined) {
  return page({
    site: SITE,
    title: 'Connexion par carte impossible',
    body: html`<h1>Connexion par carte CPS impossible</h1>
      ${errorSection(error)}
      <p><a class="button secondary" href="/">Tester ma carte</a>
      ${returnHref ? html` <a class="button" href="${returnHref}">Revenir au service</a>` : ''}</p>`,
  });
}
