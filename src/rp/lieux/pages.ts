import { html } from 'hono/html';
import { page } from '../../platform/index.ts';
import type { LieuxProfile } from './practice-locations.ts';

const SITE = "Lieux d'exercice";

export function welcomePage(error?: string) {
  return page({
    site: SITE,
    title: 'Accueil',
    body: html`<h1>Mes lieux d'exercice</h1>
      ${error ? html`<div class="status error" role="alert">${error}</div>` : ''}
      <p>Consultez les lieux d'exercice que l'annuaire santé connaît pour vous, tels que les services de santé les reçoivent quand vous vous connectez avec Pro Santé Connect.</p>
      <p><a class="button" href="/connexion">Se connecter avec Pro Santé Connect</a></p>
      <p class="muted">Carte CPS ou application e-CPS.</p>`,
  });
}

export function locationsPage(profile: LieuxProfile, csrf: string) {
  return page({
    site: SITE,
    title: "Mes lieux d'exercice",
    body: html`<h1>Mes lieux d'exercice</h1>
      <p>Connecté : ${profile.name} (identifiant national <span data-testid="idnat">${profile.idnat}</span>)</p>
      ${
        profile.locations.length > 0
          ? html`<ul class="locations">
              ${profile.locations.map(
                (location) => html`<li class="card" data-testid="lieu">
                  <h2>${location.name}</h2>
                  <p class="muted">${location.profession}</p>
                  <address>${location.address.map((line, index) => html`${index > 0 ? html`<br />` : ''}${line}`)}</address>
                  ${location.phone ? html`<p>Téléphone : ${location.phone}</p>` : ''}
                  ${location.email ? html`<p>E-mail : ${location.email}</p>` : ''}
                </li>`,
              )}
            </ul>`
          : html`<div class="status error" role="status" data-testid="absence">
                <h2>Absence de lieu d'exercice</h2>
                ${
                  profile.adeli
                    ? html`<p>Vous êtes connecté avec un identifiant ADELI (${profile.idnat}). Les identités ADELI ne transmettent pas de lieu d'exercice aux services de santé.</p>`
                    : html`<p>L'annuaire santé ne connaît aucun lieu d'exercice pour votre identifiant. Signalez vos lieux d'exercice à votre autorité d'enregistrement (votre Ordre, ou l'ARS).</p>`
                }
              </div>
              ${
                profile.adeli
                  ? html`<h2>Pour que vos lieux d'exercice apparaissent</h2>
                      <ol>
                        <li>Vérifiez que vous disposez d'un numéro RPPS (il figure sur votre carte CPS récente ou auprès de votre Ordre).</li>
                        <li>Dans l'application e-CPS, ouvrez « Paramètres » puis « Désactiver ma e-CPS » (ou supprimez-la sur le portail e-CPS).</li>
                        <li>Choisissez « Demander l'activation de la e-CPS » et saisissez votre identifiant national RPPS : 8 suivi de votre numéro RPPS.</li>
                        <li>Suivez l'e-mail et le SMS reçus, choisissez votre mot de passe, puis reconnectez-vous ici avec l'application e-CPS.</li>
                      </ol>`
                  : ''
              }`
      }
      <form method="post" action="/deconnexion"><input type="hidden" name="csrf" value="${csrf}" /><button class="button secondary" type="submit">Se déconnecter</button></form>`,
  });
}
