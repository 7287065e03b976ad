import { html } from 'hono/html';
import type { CaduceeError } from '../../../platform/index.ts';
import { errorSection } from '../../../platform/index.ts';
import type { Account, PersonalInformation } from '../accounts.ts';
import type { Delegation, DelegationState } from '../delegations.ts';
import type { FieldProblem } from '../information.ts';
import { frenchDay } from '../time.ts';
import { csrfField, emPage, field, noticeBlock, problemSummary, type Viewer } from './layout.ts';
import { identityFields, informationFields } from './signup.ts';

export interface DelegationRow {
  delegation: Delegation;
  state: DelegationState;
  /** The other person: the replacement (given) or the delegator (received). */
  other: Pick<Account, 'idnat' | 'given_name' | 'family_name'>;
}

const name = (a: Pick<Account, 'given_name' | 'family_name'>) => `${a.given_name} ${a.family_name}`;

export function accountPage(input: {
  viewer: Viewer;
  account: Account;
  values?: Partial<PersonalInformation>;
  problems?: FieldProblem[];
  given: DelegationRow[];
  received: DelegationRow[];
  linked: Array<Pick<Account, 'id' | 'idnat' | 'given_name' | 'family_name' | 'profession_label'>>;
  /** The account switched to is not the one logged in: linking is done from the latter. */
  canLink: boolean;
  today: string;
  notice?: string;
  error?: CaduceeError;
}) {
  const { account, viewer } = input;
  const problems = input.problems ?? [];
  const values: Partial<PersonalInformation> = input.values ?? {
    email: account.email,
    phone: account.phone,
    address: account.address,
    postcode: account.postcode,
    city: account.city,
  };
  return emPage(
    'Mon compte',
    html`<h1>Mon compte</h1>
      ${noticeBlock(input.notice)}
      ${errorSection(input.error)}
      <section aria-labelledby="titre-infos">
        <h2 id="titre-infos">Mes informations personnelles</h2>
        ${problemSummary(problems)}
        <form method="post" action="/compte/informations" novalidate>
          ${csrfField(viewer.csrf)}
          ${identityFields({ familyName: account.family_name, givenName: account.given_name, professionLabel: account.profession_label, specialtyLabel: account.specialty_label })}
          ${informationFields(values, problems)}
          <p><button class="button" type="submit">Enregistrer mes informations</button></p>
        </form>
      </section>

      <section aria-labelledby="titre-delegations">
        <h2 id="titre-delegations">Délégations de droits temporaires</h2>
        ${
          input.given.length
            ? html`<table>
                <caption>Délégations que vous avez données</caption>
                <thead><tr><th scope="col">Remplaçant</th><th scope="col">Du</th><th scope="col">Au</th><th scope="col">État</th><th scope="col">Action</th></tr></thead>
                <tbody>${input.given.map(
                  (row) => html`<tr data-testid="delegation-donnee">
                    <td>${name(row.other)} (${row.other.idnat})</td>
                    <td>${frenchDay(row.delegation.starts_on)}</td>
                    <td>${frenchDay(row.delegation.ends_on)}</td>
                    <td>${row.state}</td>
                    <td>${
                      row.state === 'en cours' || row.state === 'à venir'
                        ? html`<form method="post" action="/compte/delegations/${row.delegation.id}/fin">
                            ${csrfField(viewer.csrf)}
                            <button class="button secondary" type="submit" aria-label="Mettre fin à la délégation à ${name(row.other)}">Mettre fin</button>
                          </form>`
                        : '—'
                    }</td>
                  </tr>`,
                )}</tbody>
              </table>`
            : html`<p>Vous n'avez délégué vos droits à personne.</p>`
        }
        ${
          input.received.length
            ? html`<table>
                <caption>Délégations que vous avez reçues</caption>
                <thead><tr><th scope="col">Vous remplacez</th><th scope="col">Du</th><th scope="col">Au</th><th scope="col">État</th></tr></thead>
                <tbody>${input.received.map(
                  (row) => html`<tr data-testid="delegation-recue">
                    <td>${name(row.other)} (${row.other.idnat})</td>
                    <td>${frenchDay(row.delegation.starts_on)}</td>
                    <td>${frenchDay(row.delegation.ends_on)}</td>
                    <td>${row.state}</td>
                  </tr>`,
                )}</tbody>
              </table>`
            : ''
        }
        <form method="post" action="/compte/delegations" class="card">
          <h3>Ajouter une délégation de droits temporaire</h3>
          <p>Votre remplaçant doit avoir un compte de l'espace médecin. Pendant la période choisie, il voit vos dossiers patients et peut y travailler ; chaque action est enregistrée à son nom, pour votre compte.</p>
          ${csrfField(viewer.csrf)}
          ${field({ name: 'remplacant', label: 'Identifiant national du remplaçant', required: true, hint: '8 suivi du numéro RPPS, ou 0 suivi du numéro ADELI', extra: { inputmode: 'numeric' } })}
          ${field({ name: 'debut', label: 'Date de début', type: 'date', required: true, value: input.today })}
          ${field({ name: 'fin', label: 'Date de fin', type: 'date', required: true })}
          <p><button class="button" type="submit">Ajouter la délégation</button></p>
        </form>
      </section>

      <section aria-labelledby="titre-liaison">
        <h2 id="titre-liaison">Comptes professionnels liés</h2>
        ${
          input.linked.length
            ? html`<ul>${input.linked.map(
                (
                  other,
                ) => html`<li data-testid="compte-lie">${other.idnat} — ${name(other)}${other.profession_label ? ` (${other.profession_label})` : ''}
                  ${
                    input.canLink
                      ? html`<form method="post" action="/compte/liaison/${other.id}/supprimer" class="inline">
                          ${csrfField(viewer.csrf)}
                          <button class="button secondary" type="submit" aria-label="Délier le compte ${other.idnat}">Délier</button>
                        </form>`
                      : ''
                  }</li>`,
              )}</ul>`
            : html`<p>Aucun compte lié.</p>`
        }
        ${
          input.canLink
            ? html`<form method="post" action="/compte/liaison" class="card">
                <h3>Lier votre compte professionnel</h3>
                <p>Vous exercez aussi sous un autre identifiant (exercice mixte, ancien identifiant ADELI) ? Liez ce compte pour passer de l'un à l'autre sans vous reconnecter. Prouvez qu'il est à vous : son identifiant et son mot de passe, puis le code envoyé à son adresse e-mail.</p>
                ${csrfField(viewer.csrf)}
                ${field({ name: 'identifiant', label: 'Identifiant national du compte à lier', required: true, hint: '8 suivi du numéro RPPS, ou 0 suivi du numéro ADELI', extra: { inputmode: 'numeric' } })}
                ${field({ name: 'mot_de_passe', label: 'Mot de passe de ce compte', type: 'password', required: true, autocomplete: 'off' })}
                <p><button class="button" type="submit">Recevoir un code par e-mail</button></p>
                <p>Ou prouvez-le en vous connectant avec la carte CPS ou la e-CPS de cet autre identifiant :
                  <a href="/auth/connexion?moyen=cps&amp;but=liaison">lier par CPS</a> ·
                  <a href="/auth/connexion?moyen=ecps&amp;but=liaison">lier par e-CPS</a></p>
              </form>`
            : html`<p class="muted">Revenez à votre compte de connexion pour lier ou délier des comptes.</p>`
        }
      </section>`,
    viewer,
  );
}
