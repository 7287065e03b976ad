import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Person } from '../directory/index.ts';
import type { DeviceSummary, EcpsUse } from '../ecps/index.ts';
import { type CaduceeError, errorSection, page } from '../platform/index.ts';
import { PORTAL_PATH } from './session.ts';

const SITE = 'Portail e-CPS';

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

export const portalPage = (title: string, body: Body) =>
  page({ site: SITE, title, body, homeHref: PORTAL_PATH });

const when = (iso: string | null) =>
  iso
    ? new Date(iso).toLocaleString('fr-FR', {
        timeZone: 'Europe/Paris',
        dateStyle: 'short',
        timeStyle: 'short',
      })
    : '—';
const day = (iso: string | null) =>
  iso ? new Date(iso).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' }) : '—';

export function displayName(person: Person): string {
  const exercice = person.exercices[0];
  return [exercice?.civiliteExercice?.label, exercice?.prenomExercice, exercice?.nomExercice]
    .filter(Boolean)
    .join(' ');
}

export function homePage(error?: CaduceeError) {
  return portalPage(
    'Accueil',
    html`<h1>Portail e-CPS</h1>
      ${errorSection(error)}
      <p>La e-CPS est votre carte CPS sur votre téléphone. Sur ce portail, vous pouvez l'activer avec votre carte CPS, voir vos appareils et les dernières utilisations de votre e-CPS, et la supprimer si vous avez oublié son mot de passe.</p>
      <div class="card">
        <h2>Se connecter au portail</h2>
        <p>Insérez votre carte CPS dans le lecteur. Votre navigateur vous demandera de choisir le certificat de votre carte et votre code porteur.</p>
        <p><a class="button" href="${PORTAL_PATH}/carte">Se connecter avec ma carte CPS</a></p>
      </div>
      <div class="card">
        <h2>Pas de carte à portée de main ?</h2>
        <p>Ouvrez l'<a href="/ecps/app/">application e-CPS</a> sur votre téléphone et choisissez « Demander l'activation de la e-CPS » : un e-mail puis un SMS sont envoyés à vos coordonnées de correspondance.</p>
        <p><a href="${PORTAL_PATH}/oubli">Mot de passe e-CPS oublié ?</a></p>
      </div>`,
  );
}

const logoutForm = (csrf: string) =>
  html`<form method="post" action="${PORTAL_PATH}/deconnexion"><input type="hidden" name="csrf" value="${csrf}" /><button class="button secondary" type="submit">Se déconnecter du portail</button></form>`;

const deviceStatus: Record<DeviceSummary['status'], string> = {
  pending: 'activation en cours',
  active: 'active',
  blocked: 'bloquée (3 mots de passe erronés)',
  revoked: 'désactivée',
  expired: 'expirée',
};

export function accountPage(input: {
  person: Person;
  method: 'card' | 'mail_sms';
  csrf: string;
  devices: DeviceSummary[];
  uses: EcpsUse[];
  notice?: string;
  error?: CaduceeError;
}) {
  const { person, devices, uses, csrf } = input;
  return portalPage(
    'Mon e-CPS',
    html`<h1>Mon e-CPS</h1>
      ${input.notice ? html`<div class="status success" role="status">${input.notice}</div>` : ''}
      ${errorSection(input.error)}
      <dl class="facts">
        <dt>Professionnel</dt><dd>${displayName(person)}</dd>
        <dt>Identifiant national</dt><dd data-testid="idnat">${person.nationalId}</dd>
        <dt>Connexion</dt><dd>${input.method === 'card' ? 'carte CPS' : 'vérification par e-mail et SMS'}</dd>
      </dl>
      <h2>Mes appareils</h2>
      ${
        devices.length === 0
          ? html`<p>Aucune e-CPS n'est active pour votre identifiant.</p>`
          : html`<table>
              <caption>Téléphones sur lesquels votre e-CPS est installée</caption>
              <thead><tr><th scope="col">Appareil</th><th scope="col">État</th><th scope="col">Activée le</th><th scope="col">Valable jusqu'au</th><th scope="col">Dernière utilisation</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
              <tbody>
                ${devices.map(
                  (device) => html`<tr data-testid="device">
                    <td>${device.name}${device.model ? html` <span class="muted">(${device.model})</span>` : ''}</td>
                    <td>${deviceStatus[device.status]}</td>
                    <td>${day(device.activatedAt)}</td>
                    <td>${day(device.expiresAt)}</td>
                    <td>${when(device.lastUsedAt)}</td>
                    <td><form method="post" action="${PORTAL_PATH}/appareils/${device.id}/supprimer"><input type="hidden" name="csrf" value="${csrf}" /><button class="button secondary" type="submit" aria-label="Supprimer la e-CPS de ${device.name}">Supprimer</button></form></td>
                  </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${
        input.method === 'card'
          ? html`<p><a class="button" href="${PORTAL_PATH}/activation">Activer ma e-CPS sur un téléphone</a></p>`
          : ''
      }
      <h2>Dernières utilisations</h2>
      ${
        uses.length === 0
          ? html`<p>Votre e-CPS n'a pas encore servi.</p>`
          : html`<table>
              <caption>Demandes de connexion reçues par votre e-CPS</caption>
              <thead><tr><th scope="col">Date</th><th scope="col">Service</th><th scope="col">Résultat</th><th scope="col">Appareil</th></tr></thead>
              <tbody>
                ${uses.map(
                  (use) =>
                    html`<tr data-testid="use"><td>${when(use.at)}</td><td>${use.service}</td><td>${useLabel[use.status] ?? use.status}</td><td>${use.device ?? '—'}</td></tr>`,
                )}
              </tbody>
            </table>
            <p class="muted">Une connexion que vous ne reconnaissez pas ? Supprimez la e-CPS de l'appareil concerné et contactez l'assistance.</p>`
      }
      ${logoutForm(csrf)}`,
  );
}

const useLabel: Record<string, string> = {
  approved: 'acceptée',
  denied: 'refusée',
  cancelled: 'annulée (mauvais code choisi)',
  expired: 'expirée sans réponse',
};

export function termsPage(csrf: string, error?: CaduceeError) {
  return portalPage(
    "Conditions d'utilisation",
    html`<h1>Activer ma e-CPS</h1>
      ${errorSection(error)}
      <h2>Conditions générales d'utilisation de la e-CPS</h2>
      <div class="card">
        <p>La e-CPS est personnelle : elle vous identifie comme professionnel de santé auprès des services numériques en santé, comme votre carte CPS. Vous ne devez ni la prêter ni communiquer son mot de passe.</p>
        <p>Installez-la uniquement sur un téléphone qui vous appartient et qui est protégé par un verrouillage. Si vous perdez ce téléphone, supprimez la e-CPS depuis ce portail.</p>
        <p>Chaque connexion vous est présentée sur le téléphone avec le nom du service ; refusez toute demande que vous n'avez pas faite. Trois mots de passe erronés de suite bloquent la e-CPS.</p>
      </div>
      <form method="post" action="${PORTAL_PATH}/activation">
        <input type="hidden" name="csrf" value="${csrf}" />
        <p><input type="checkbox" id="cgu" name="cgu" value="oui" required /> <label for="cgu">J'ai lu et j'accepte les conditions générales d'utilisation</label></p>
        <p><button class="button" type="submit">Commencer l'activation</button></p>
      </form>
      <p><a href="${PORTAL_PATH}/compte">Retour à mon e-CPS</a></p>`,
  );
}

/** The QR code step: the page polls the activation and moves on by itself. */
export function activationPage(input: {
  activationId: string;
  step: 'waiting-scan' | 'waiting-code' | 'waiting-pin' | 'active' | 'failed' | 'expired';
  csrf: string;
  qrSvg?: string;
  qrExpiresAt?: string;
  error?: CaduceeError;
}) {
  const { step, csrf, activationId } = input;
  const renew = html`<form method="post" action="${PORTAL_PATH}/activation/renouveler"><input type="hidden" name="csrf" value="${csrf}" /><button class="button secondary" type="submit">Renouveler le QR code</button></form>`;
  const parts: Record<typeof step, Body> = {
    'waiting-scan': input.qrSvg
      ? html`<ol>
            <li>Ouvrez l'application e-CPS sur votre téléphone et choisissez « Scanner un QR code d'activation ».</li>
            <li>Scannez ce QR code. Il est valable 90 secondes et ne sert qu'une fois.</li>
          </ol>
          <div class="qr" role="img" aria-label="QR code d'activation de la e-CPS" data-testid="qr-activation">${raw(input.qrSvg)}</div>
          <p class="muted">Valable jusqu'à <time datetime="${input.qrExpiresAt ?? ''}">${when(input.qrExpiresAt ?? null)}</time>.</p>
          ${renew}`
      : html`<p>Le QR code n'est plus affiché. Renouvelez-le pour le scanner avec l'application.</p>${renew}`,
    'waiting-code': html`<p>Votre téléphone affiche un code d'activation. Saisissez-le ici (3 essais).</p>
      <form method="post" action="${PORTAL_PATH}/activation/${activationId}/code">
        <input type="hidden" name="csrf" value="${csrf}" />
        <p><label for="code">Code affiché sur le téléphone</label><br /><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required /></p>
        <p><button class="button" type="submit">Valider le code</button></p>
      </form>`,
    'waiting-pin': html`<div class="status success" role="status">Code accepté.</div>
      <p>Choisissez maintenant sur votre téléphone le mot de passe de votre e-CPS (4 chiffres), puis confirmez-le. Cette page se mettra à jour toute seule.</p>`,
    active: html`<div class="status success" role="status" data-testid="activation-done">Votre e-CPS est active.</div>
      <p>Vous pouvez vous connecter aux services de santé avec l'« Application e-CPS ».</p>
      <p><a class="button" href="${PORTAL_PATH}/compte">Voir mes appareils</a></p>`,
    failed: html`<div class="status error" role="alert">L'activation a échoué (code erroné trois fois, ou activation remplacée par une autre).</div>
      <p><a class="button" href="${PORTAL_PATH}/activation">Recommencer l'activation</a></p>`,
    expired: html`<div class="status error" role="alert">Le QR code ou le code d'activation a expiré.</div>${renew}`,
  };
  return portalPage(
    'Activation de la e-CPS',
    html`<h1>Activation de la e-CPS</h1>
      ${errorSection(input.error)}
      <div id="activation" data-step="${step}" data-status-url="${PORTAL_PATH}/activation/${activationId}/etat" data-page-url="${PORTAL_PATH}/activation/${activationId}" aria-live="polite">${parts[step]}</div>
      <script type="module" src="${PORTAL_PATH}/static/activation.js"></script>`,
  );
}

export function recoveryStartPage(csrfFree: { sent?: boolean; error?: CaduceeError } = {}) {
  return portalPage(
    'Mot de passe oublié',
    html`<h1>Mot de passe e-CPS oublié</h1>
      ${errorSection(csrfFree.error)}
      <p>Si vous avez oublié le mot de passe de votre e-CPS, ou si elle est bloquée, supprimez-la : vous pourrez ensuite l'activer de nouveau.</p>
      <div class="card">
        <h2>Avec ma carte CPS</h2>
        <p><a class="button" href="${PORTAL_PATH}/carte?suite=oubli">Me connecter avec ma carte CPS</a></p>
      </div>
      <div class="card">
        <h2>Sans carte : par e-mail et SMS</h2>
        ${
          csrfFree.sent
            ? html`<div class="status success" role="status">Si cet identifiant correspond à un professionnel dont les coordonnées sont connues, un e-mail vient d'être envoyé à son adresse de correspondance. Ouvrez le lien qu'il contient ; un code vous sera ensuite envoyé par SMS.</div>`
            : html`<form method="post" action="${PORTAL_PATH}/oubli">
                <p><label for="idnat">Identifiant national (8 + RPPS ou 0 + ADELI)</label><br /><input id="idnat" name="idnat" inputmode="numeric" autocomplete="username" maxlength="12" required /></p>
                <p><button class="button" type="submit">Recevoir un e-mail de vérification</button></p>
              </form>`
        }
      </div>`,
  );
}

export function recoveryLinkPage(token: string, error?: CaduceeError) {
  return portalPage(
    'Vérification',
    html`<h1>Vérification de votre identité</h1>
      ${errorSection(error)}
      <p>Un code de vérification va être envoyé par SMS à votre mobile de correspondance.</p>
      <form method="post" action="${PORTAL_PATH}/oubli/verifier">
        <input type="hidden" name="jeton" value="${token}" />
        <p><button class="button" type="submit">Recevoir le code par SMS</button></p>
      </form>`,
  );
}

export function recoveryCodePage(recoveryId: string, mobile: string, error?: CaduceeError) {
  return portalPage(
    'Code de vérification',
    html`<h1>Code de vérification</h1>
      ${errorSection(error)}
      <p>Saisissez le code reçu par SMS au ${mobile} (3 essais, 10 minutes).</p>
      <form method="post" action="${PORTAL_PATH}/oubli/code">
        <input type="hidden" name="demande" value="${recoveryId}" />
        <input type="hidden" name="mobile" value="${mobile}" />
        <p><label for="code">Code reçu par SMS</label><br /><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required /></p>
        <p><button class="button" type="submit">Valider</button></p>
      </form>`,
  );
}

export function resetConfirmPage(csrf: string, active: number) {
  return portalPage(
    'Supprimer ma e-CPS',
    html`<h1>Supprimer ma e-CPS</h1>
      <p>${active > 0 ? html`Votre e-CPS est installée sur ${active} appareil${active > 1 ? 's' : ''}.` : "Aucune e-CPS n'est active pour votre identifiant."} La supprimer met fin à son utilisation sur tous vos appareils ; vous pourrez ensuite l'activer de nouveau, avec votre carte ou depuis l'application.</p>
      <form method="post" action="${PORTAL_PATH}/oubli/confirmer">
        <input type="hidden" name="csrf" value="${csrf}" />
        <p><button class="button" type="submit">Supprimer ma e-CPS</button></p>
      </form>
      <p><a href="${PORTAL_PATH}/compte">Annuler</a></p>`,
  );
}
