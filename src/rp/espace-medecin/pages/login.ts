import { html } from 'hono/html';
import type { CaduceeError } from '../../../platform/index.ts';
import { errorSection } from '../../../platform/index.ts';
import type { FieldProblem } from '../information.ts';
import { csrfField, emPage, field, noticeBlock, problemSummary } from './layout.ts';

const IDENTIFIER_HINT = '8 suivi du numéro RPPS, ou 0 suivi du numéro ADELI';

export function loginPage(input: {
  csrf: string;
  identifier?: string;
  error?: CaduceeError;
  notice?: string;
}) {
  return emPage(
    'Connexion',
    html`<h1>Connexion à l'espace médecin</h1>
      ${errorSection(input.error)}
      ${noticeBlock(input.notice)}
      <section class="card" aria-labelledby="titre-psc">
        <h2 id="titre-psc">Avec votre carte CPS ou votre e-CPS</h2>
        <p>Vous êtes redirigé vers Pro Santé Connect. À votre première connexion, vous créez votre compte de l'espace médecin.</p>
        <p>
          <a class="button" href="/auth/connexion?moyen=cps">Se connecter par CPS</a>
          <a class="button" href="/auth/connexion?moyen=ecps">Se connecter par e-CPS</a>
        </p>
      </section>
      <section class="card" aria-labelledby="titre-email">
        <h2 id="titre-email">Authentification forte par e-mail</h2>
        <p>Pour les comptes déjà créés par une connexion par carte CPS ou e-CPS : votre identifiant et votre mot de passe, puis un code à 6 chiffres envoyé à votre adresse e-mail.</p>
        <form method="post" action="/connexion/email">
          ${csrfField(input.csrf)}
          ${field({ name: 'identifiant', label: 'Identifiant national', hint: IDENTIFIER_HINT, value: input.identifier, required: true, autocomplete: 'username', extra: { inputmode: 'numeric' } })}
          ${field({ name: 'mot_de_passe', label: 'Mot de passe', type: 'password', required: true, autocomplete: 'current-password' })}
          <p><button class="button" type="submit">Recevoir un code par e-mail</button></p>
        </form>
        <p><a href="/mot-de-passe/oubli">Mot de passe oublié ?</a></p>
      </section>`,
  );
}

export function codePage(input: {
  csrf: string;
  action: string;
  demande: string;
  title: string;
  email: string;
  error?: CaduceeError;
  back: string;
}) {
  return emPage(
    input.title,
    html`<h1>${input.title}</h1>
      ${errorSection(input.error)}
      <p>Un code à 6 chiffres a été envoyé à <strong>${input.email}</strong>. Il est valable 10 minutes et ne sert qu'une fois ; vous avez 3 essais.</p>
      <form method="post" action="${input.action}">
        ${csrfField(input.csrf)}
        <input type="hidden" name="demande" value="${input.demande}" />
        ${field({ name: 'code', label: 'Code reçu par e-mail', required: true, autocomplete: 'one-time-code', extra: { inputmode: 'numeric', maxlength: '6', pattern: '[0-9]{6}' } })}
        <p><button class="button" type="submit">Valider le code</button></p>
      </form>
      <p><a href="${input.back}">Recommencer</a></p>`,
  );
}

export function resetRequestPage(input: { csrf: string; error?: CaduceeError; notice?: string }) {
  return emPage(
    'Mot de passe oublié',
    html`<h1>Mot de passe oublié</h1>
      ${errorSection(input.error)}
      ${noticeBlock(input.notice)}
      <p>Saisissez votre identifiant national : si un compte de l'espace médecin lui correspond, un lien pour choisir un nouveau mot de passe est envoyé à son adresse e-mail. Le lien est valable 30 minutes.</p>
      <form method="post" action="/mot-de-passe/oubli">
        ${csrfField(input.csrf)}
        ${field({ name: 'identifiant', label: 'Identifiant national', hint: IDENTIFIER_HINT, required: true, autocomplete: 'username', extra: { inputmode: 'numeric' } })}
        <p><button class="button" type="submit">Recevoir le lien</button></p>
      </form>
      <p><a href="/connexion">Retour à la connexion</a></p>`,
  );
}

export function newPasswordPage(input: { csrf: string; token: string; problems?: FieldProblem[] }) {
  const problems = input.problems ?? [];
  return emPage(
    'Nouveau mot de passe',
    html`<h1>Choisir un nouveau mot de passe</h1>
      ${problemSummary(problems)}
      <form method="post" action="/mot-de-passe/nouveau">
        ${csrfField(input.csrf)}
        <input type="hidden" name="jeton" value="${input.token}" />
        ${field({ name: 'mot_de_passe', label: 'Nouveau mot de passe', type: 'password', required: true, autocomplete: 'new-password', hint: PASSWORD_HINT, problems })}
        ${field({ name: 'mot_de_passe_repete', label: 'Répéter le mot de passe', type: 'password', required: true, autocomplete: 'new-password', problems })}
        <p><button class="button" type="submit">Enregistrer le mot de passe</button></p>
      </form>`,
  );
}

export const PASSWORD_HINT = 'Au moins 8 caractères, dont une minuscule, une majuscule et un chiffre.';

export function loggedOutPage() {
  return emPage(
    'Déconnecté',
    html`<h1>Vous êtes déconnecté</h1>
      <p>Votre session de l'espace médecin est terminée.</p>
      <p><a class="button" href="/connexion">Se reconnecter</a></p>`,
  );
}

export function errorPage(error: CaduceeError, back = '/') {
  return emPage(
    'Erreur',
    html`<h1>Une erreur est survenue</h1>
      ${errorSection(error)}
      <p><a href="${back}">${back === '/' ? "Retour à l'accueil" : 'Retour'}</a></p>`,
  );
}
