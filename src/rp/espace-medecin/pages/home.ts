import { html } from 'hono/html';
import type { Account } from '../accounts.ts';
import { emPage, noticeBlock, type Viewer } from './layout.ts';

export function homePage(input: {
  viewer: Viewer;
  account: Account;
  files: number;
  delegators: Array<{ name: string; until: string }>;
  notice?: string;
}) {
  const { account } = input;
  return emPage(
    'Accueil',
    html`<h1>Bonjour ${account.given_name} ${account.family_name}</h1>
      ${noticeBlock(input.notice)}
      <dl class="facts">
        <dt>Identifiant national</dt><dd>${account.idnat}</dd>
        <dt>Profession</dt><dd>${account.profession_label || '—'}</dd>
        <dt>Spécialité</dt><dd>${account.specialty_label || '—'}</dd>
      </dl>
      <p><a class="button" href="/dossiers">Dossiers patients (${input.files})</a></p>
      ${
        input.delegators.length
          ? html`<div class="card"><h2>Remplacements en cours</h2><ul>${input.delegators.map(
              (d) =>
                html`<li>Vous remplacez ${d.name} jusqu'au ${d.until} : vous voyez ses dossiers patients.</li>`,
            )}</ul></div>`
          : ''
      }`,
    input.viewer,
  );
}
