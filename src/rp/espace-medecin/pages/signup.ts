import { html } from 'hono/html';
import type { CaduceeError } from '../../../platform/index.ts';
import { errorSection } from '../../../platform/index.ts';
import type { PersonalInformation } from '../accounts.ts';
import type { ProfessionalIdentity } from '../identity.ts';
import type { FieldProblem } from '../information.ts';
import { csrfField, emPage, field, problemSummary } from './layout.ts';
import { PASSWORD_HINT } from './login.ts';

const readOnly = (id: string, label: string, value: string) =>
  html`<p><label for="${id}">${label}</label><br /><input id="${id}" type="text" value="${value || '—'}" readonly /></p>`;

/** The fields of personal information, shared by the creation form and "Mon compte". */
export function informationFields(values: Partial<PersonalInformation>, problems: FieldProblem[]) {
  return html`${field({ name: 'email', label: 'Adresse e-mail', type: 'email', value: values.email, required: true, autocomplete: 'email', problems })}
    ${field({ name: 'telephone', label: 'Téléphone', type: 'tel', value: values.phone, autocomplete: 'tel', problems })}
    ${field({ name: 'adresse', label: 'Adresse', value: values.address, autocomplete: 'street-address', problems })}
    <fieldset>
      <legend>Code postal / Ville <span aria-hidden="true">*</span></legend>
      ${field({ name: 'code_postal', label: 'Code postal', value: values.postcode, required: true, autocomplete: 'postal-code', problems, extra: { inputmode: 'numeric', maxlength: '5' } })}
      ${field({ name: 'ville', label: 'Ville', value: values.city, required: true, autocomplete: 'address-level2', problems })}
    </fieldset>`;
}

/** The professional's identity as the provider gave it: shown, never editable. */
export function identityFields(
  identity: Pick<ProfessionalIdentity, 'familyName' | 'givenName' | 'professionLabel' | 'specialtyLabel'>,
) {
  return html`<fieldset>
    <legend>Votre identité professionnelle (transmise par Pro Santé Connect, non modifiable)</legend>
    ${readOnly('nom', 'Nom', identity.familyName)}
    ${readOnly('prenom', 'Prénom', identity.givenName)}
    ${readOnly('profession', 'Profession', identity.professionLabel)}
    ${readOnly('specialite', 'Spécialité', identity.specialtyLabel)}
  </fieldset>`;
}

export function signupPage(input: {
  csrf: string;
  identity: ProfessionalIdentity;
  values: Partial<PersonalInformation>;
  problems: FieldProblem[];
}) {
  return emPage(
    'Création de votre compte',
    html`<h1>Création de votre compte</h1>
      <p>C'est votre première connexion à l'espace médecin avec l'identifiant <strong>${input.identity.idnat}</strong>. Complétez votre compte ; les champs marqués d'un astérisque (*) sont obligatoires.</p>
      ${problemSummary(input.problems)}
      <form method="post" action="/inscription" novalidate>
        ${csrfField(input.csrf)}
        ${identityFields(input.identity)}
        <fieldset>
          <legend>Vos coordonnées et votre mot de passe</legend>
          ${informationFields(input.values, input.problems)}
          ${field({ name: 'mot_de_passe', label: 'Mot de passe', type: 'password', required: true, autocomplete: 'new-password', hint: PASSWORD_HINT, problems: input.problems })}
          ${field({ name: 'mot_de_passe_repete', label: 'Répéter le mot de passe', type: 'password', required: true, autocomplete: 'new-password', problems: input.problems })}
        </fieldset>
        <p><button class="button" type="submit">Continuer</button></p>
      </form>`,
  );
}

export function charterPage(input: { csrf: string; error?: CaduceeError }) {
  return emPage(
    "Charte d'utilisation",
    html`<h1>Charte d'utilisation de l'espace médecin</h1>
      ${errorSection(input.error)}
      <div class="card" id="charte">
        <p>L'espace médecin permet aux professionnels de santé de suivre les dossiers de leurs patients et d'en confier temporairement l'accès à un remplaçant.</p>
        <ul>
          <li>Votre compte est personnel : vous ne communiquez ni votre mot de passe ni les codes reçus par e-mail.</li>
          <li>Vous n'accédez qu'aux dossiers des patients que vous prenez en charge, ou de ceux d'un confrère qui vous a délégué ses droits pour la durée de son absence.</li>
          <li>Chaque action sur un dossier est enregistrée avec son auteur et, pour un remplaçant, le professionnel pour le compte duquel il agit.</li>
          <li>Vous tenez vos coordonnées à jour dans « Mon compte ».</li>
        </ul>
      </div>
      <form method="post" action="/inscription/charte" novalidate>
        ${csrfField(input.csrf)}
        <p><input type="checkbox" id="accepte" name="accepte" value="oui" required aria-describedby="charte" /> <label for="accepte">J'ai lu et accepte les conditions ci-dessus</label></p>
        <p><button class="button" type="submit">Valider</button></p>
      </form>`,
  );
}
