import { html } from 'hono/html';
import type { Account } from '../accounts.ts';
import type { FieldProblem } from '../information.ts';
import { type PatientActivity, type PatientFile, STATUS_LABELS } from '../patients.ts';
import { frenchDateTime, frenchDay } from '../time.ts';
import { csrfField, emPage, field, noticeBlock, problemSummary, type Viewer } from './layout.ts';

type Person = Pick<Account, 'id' | 'idnat' | 'given_name' | 'family_name'>;

const name = (a: Pick<Account, 'given_name' | 'family_name'>) => `${a.given_name} ${a.family_name}`;

export function patientListPage(input: {
  viewer: Viewer;
  accountId: string;
  files: PatientFile[];
  owners: Map<string, Person>;
  notice?: string;
}) {
  const groups = [...new Set([input.accountId, ...input.files.map((f) => f.owner_id)])];
  return emPage(
    'Dossiers patients',
    html`<h1>Dossiers patients</h1>
      ${noticeBlock(input.notice)}
      <p><a class="button" href="/dossiers/nouveau">Créer un dossier</a></p>
      ${groups.map((ownerId) => {
        const files = input.files.filter((f) => f.owner_id === ownerId);
        const owner = input.owners.get(ownerId);
        const mine = ownerId === input.accountId;
        const caption = mine
          ? 'Mes patients'
          : `Patients de ${owner ? name(owner) : ownerId} (délégation en cours)`;
        return html`<section aria-label="${caption}" data-testid="${mine ? 'mes-dossiers' : 'dossiers-delegues'}">
          <h2>${caption}</h2>
          ${
            files.length
              ? html`<table>
                  <caption class="visually-hidden">${caption}</caption>
                  <thead><tr><th scope="col">Patient</th><th scope="col">Né(e) le</th><th scope="col">Statut</th><th scope="col">Mis à jour</th></tr></thead>
                  <tbody>${files.map(
                    (file) => html`<tr data-testid="dossier">
                      <td><a href="/dossiers/${file.id}">${file.family_name} ${file.given_name}</a></td>
                      <td>${frenchDay(file.birth_date)}</td>
                      <td>${STATUS_LABELS[file.status]}</td>
                      <td>${frenchDateTime(file.updated_at)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
              : html`<p>Aucun dossier.</p>`
          }
        </section>`;
      })}`,
    input.viewer,
  );
}

export function newPatientPage(input: {
  viewer: Viewer;
  owners: Person[];
  accountId: string;
  values?: Record<string, string>;
  problems?: FieldProblem[];
}) {
  const problems = input.problems ?? [];
  const values = input.values ?? {};
  return emPage(
    'Nouveau dossier',
    html`<h1>Nouveau dossier patient</h1>
      ${problemSummary(problems)}
      <form method="post" action="/dossiers" novalidate>
        ${csrfField(input.viewer.csrf)}
        ${field({ name: 'nom', label: 'Nom du patient', value: values.nom, required: true, problems })}
        ${field({ name: 'prenom', label: 'Prénom du patient', value: values.prenom, required: true, problems })}
        ${field({ name: 'naissance', label: 'Date de naissance', type: 'date', value: values.naissance, required: true, problems })}
        ${
          input.owners.length > 1
            ? html`<p><label for="titulaire">Dossier de</label><br /><select id="titulaire" name="titulaire">
                ${input.owners.map(
                  (owner) =>
                    html`<option value="${owner.id}"${owner.id === (values.titulaire ?? input.accountId) ? html` selected` : ''}>${owner.id === input.accountId ? 'Mes patients' : `${name(owner)} (remplacement)`}</option>`,
                )}
              </select></p>`
            : ''
        }
        <p><button class="button" type="submit">Créer le dossier</button></p>
      </form>
      <p><a href="/dossiers">Retour aux dossiers</a></p>`,
    input.viewer,
  );
}

export function patientPage(input: {
  viewer: Viewer;
  file: PatientFile;
  owner: Person;
  accountId: string;
  activity: PatientActivity[];
  people: Map<string, Person>;
  notice?: string;
}) {
  const { file } = input;
  const who = (id: string) => {
    const person = input.people.get(id);
    return person ? `${name(person)} (${person.idnat})` : id;
  };
  return emPage(
    `Dossier de ${file.given_name} ${file.family_name}`,
    html`<h1>Dossier de ${file.given_name} ${file.family_name}</h1>
      ${noticeBlock(input.notice)}
      ${file.owner_id !== input.accountId ? html`<p class="status" role="note">Vous consultez ce dossier en remplacement de ${who(file.owner_id)}.</p>` : ''}
      <dl class="facts">
        <dt>Né(e) le</dt><dd>${frenchDay(file.birth_date)}</dd>
        <dt>Professionnel</dt><dd>${who(file.owner_id)}</dd>
        <dt>Statut</dt><dd data-testid="statut">${STATUS_LABELS[file.status]}</dd>
      </dl>
      <form method="post" action="/dossiers/${file.id}/statut">
        ${csrfField(input.viewer.csrf)}
        <p><label for="statut">Nouveau statut</label><br /><select id="statut" name="statut">
          ${Object.entries(STATUS_LABELS).map(
            ([value, label]) =>
              html`<option value="${value}"${value === file.status ? html` selected` : ''}>${label}</option>`,
          )}
        </select></p>
        <p><button class="button" type="submit">Changer le statut</button></p>
      </form>
      <h2>Historique du dossier</h2>
      <table>
        <caption class="visually-hidden">Qui a fait quoi sur ce dossier</caption>
        <thead><tr><th scope="col">Date</th><th scope="col">Action</th><th scope="col">Par</th><th scope="col">Pour le compte de</th></tr></thead>
        <tbody>${input.activity.map(
          (entry) => html`<tr data-testid="activite">
            <td>${frenchDateTime(entry.at)}</td>
            <td>${entry.detail}</td>
            <td>${who(entry.actor_id)}</td>
            <td>${entry.actor_id === entry.on_behalf_of_id ? '—' : who(entry.on_behalf_of_id)}</td>
          </tr>`,
        )}</tbody>
      </table>
      <p><a href="/dossiers">Retour aux dossiers</a></p>`,
    input.viewer,
  );
}
