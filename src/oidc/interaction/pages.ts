import { html, raw } from 'hono/html';
import type { CaduceeError, Settings } from '../../platform/index.ts';
import { errorSection, page } from '../../platform/index.ts';

const SITE = 'Caducée — Pro Santé Connect';

function support(settings: Settings) {
  const { name, phone, email, url } = settings.support;
  const ways = [
    phone ? html`par téléphone au <a href="tel:${phone.replace(/\s/g, '')}">${phone}</a>` : '',
    email ? html`par e-mail à <a href="mailto:${email}">${email}</a>` : '',
    url ? html`sur <a href="${url}">${url}</a>` : '',
  ].filter(Boolean);
  if (ways.length === 0) return '';
  return html`<p class="muted">Besoin d'aide ? ${name} : ${ways.map((w, i) => html`${i ? ', ' : ''}${w}`)}.</p>`;
}

/** The login page of the provider: the means of authentication the professional can use. */
export function loginPage(options: {
  settings: Settings;
  uid: string;
  clientName: string;
  error?: CaduceeError;
  /** Offered once the e-CPS service runs; the identifier remembered on this browser, if any. */
  ecps?: { rememberedIdnat: string };
}) {
  const { settings, uid } = options;
  const cardHost = settings.cardHost.url.replace(/\/$/, '');
  return page({
    site: SITE,
    title: 'Connexion',
    body: html`<h1>Connexion à ${options.clientName}</h1>
      ${errorSection(options.error, { heading: "La connexion n'a pas abouti", id: 'erreur' })}
      <p>Choisissez votre moyen d'identification.</p>
      <section class="card" aria-labelledby="carte-cps">
        <h2 id="carte-cps">Carte CPS</h2>
        <p>Insérez votre carte CPS dans le lecteur. Votre navigateur vous demandera de choisir le certificat de votre carte, puis votre code porteur.</p>
        <p><a class="button" href="/interaction/${uid}/carte">Se connecter avec ma carte CPS</a></p>
        <p class="muted">Votre carte n'est pas reconnue ? <a href="${cardHost}/">Tester ma carte</a> vérifie qu'elle est insérée et lue par ce poste.</p>
      </section>
      ${
        options.ecps
          ? html`<section class="card" aria-labelledby="e-cps">
              <h2 id="e-cps">Application e-CPS</h2>
              <p>Saisissez votre identifiant national : une demande de connexion sera envoyée à votre application e-CPS.</p>
              <form method="post" action="/interaction/${uid}/ecps">
                <p><label for="idnat">Identifiant national (8 + RPPS ou 0 + ADELI)</label><br />
                <input id="idnat" name="idnat" inputmode="numeric" autocomplete="username" required pattern="[0-9]{10,12}" value="${options.ecps.rememberedIdnat}" /></p>
                <p><input type="checkbox" id="memoriser" name="memoriser" value="oui" ${options.ecps.rememberedIdnat ? 'checked' : ''} />
                <label for="memoriser">Se souvenir de mon identifiant sur ce navigateur</label></p>
                <p><button class="button" type="submit">Se connecter avec l'application e-CPS</button></p>
              </form>
            </section>`
          : ''
      }
      <p><a href="/interaction/${uid}/abandon">Annuler et revenir au service</a></p>
      ${support(settings)}`,
  });
}

/** Errors the provider itself renders (bad client, bad redirect URI…): French, no stack trace. */
export function renderProviderError(out: Record<string, unknown>, error: unknown): string {
  const code = String(out.error ?? 'server_error');
  const description = String(out.error_description ?? '');
  const known: Record<string, string> = {
    invalid_client: "Le service qui vous a envoyé ici n'est pas reconnu.",
    invalid_redirect_uri: "L'adresse de retour demandée par le service n'est pas autorisée.",
    invalid_request: 'La demande de connexion est incomplète ou invalide.',
    invalid_scope: 'La demande de connexion porte sur des informations inconnues.',
    unsupported_response_type: 'Ce type de demande de connexion n’est pas pris en charge.',
    server_error: 'Une erreur interne est survenue.',
  };
  void error;
  return String(
    page({
      site: SITE,
      title: 'Erreur',
      body: html`<h1>La connexion ne peut pas aboutir</h1>
        <div class="status error" role="alert"><p>${known[code] ?? 'La demande de connexion a été refusée.'}</p>
        ${description ? html`<p class="muted">Détail technique : ${description}</p>` : ''}</div>
        <p>Retournez sur le service que vous vouliez utiliser et recommencez. Si le problème persiste, contactez l'éditeur de ce service.</p>
        <p class="muted">Code : ${code}</p>`,
    }),
  );
}

/** A failure of ours on the provider's endpoints (store down…): the catalogued message and hint. */
export function providerFailurePage(error: CaduceeError): string {
  return String(
    page({
      site: SITE,
      title: 'Erreur',
      body: html`<h1>La connexion ne peut pas aboutir</h1>${errorSection(error)}`,
    }),
  );
}

/** RP-initiated logout confirmation (oidc-provider hands us its form with the secret field). */
export function logoutConfirmPage(form: string): string {
  const withId = form.replace('<form', '<form id="op.logoutForm"');
  return String(
    page({
      site: SITE,
      title: 'Déconnexion',
      body: html`<h1>Déconnexion</h1>
        <p>Voulez-vous vous déconnecter de Pro Santé Connect ? Vous serez déconnecté des services qui utilisent cette connexion.</p>
        ${raw(withId)}
        <p><button class="button" type="submit" form="op.logoutForm" value="yes" name="logout">Me déconnecter</button>
        <button class="button secondary" type="submit" form="op.logoutForm">Rester connecté</button></p>`,
    }),
  );
}

export function loggedOutPage(): string {
  return String(
    page({
      site: SITE,
      title: 'Déconnecté',
      body: html`<h1>Vous êtes déconnecté</h1><p>Vous pouvez fermer cette page.</p>`,
    }),
  );
}

/** While the professional answers on the phone: the "code dynamique" to pick there. */
export function ecpsWaitingPage(options: {
  uid: string;
  requestId: string;
  code: string;
  clientName: string;
  expiresAt: string;
}) {
  const status = `/interaction/${options.uid}/ecps/etat?demande=${options.requestId}`;
  const done = `/interaction/${options.uid}/ecps/fin?demande=${options.requestId}`;
  return page({
    site: SITE,
    title: 'Validez sur votre téléphone',
    body: html`<div data-status-url="${status}" data-done-url="${done}">
        <h1>Validez la connexion dans l'application e-CPS</h1>
        <p>Une demande de connexion à ${options.clientName} a été envoyée à votre application e-CPS.</p>
        <div class="card">
          <p>Dans l'application, choisissez ce code :</p>
          <p class="code-dynamique" aria-label="Code dynamique" data-testid="code-dynamique">${options.code}</p>
          <p>puis saisissez votre mot de passe e-CPS.</p>
        </div>
        <p class="muted">La demande expire dans deux minutes. Si vous ne recevez rien, ouvrez l'application : les demandes en attente y sont affichées.</p>
        <p><a href="${done}">Continuer</a> · <a href="/interaction/${options.uid}">Choisir un autre moyen</a></p>
      </div>
      <script src="/interaction/static/ecps-wait.js" defer></script>`,
  });
}
