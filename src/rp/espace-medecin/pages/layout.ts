import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { page } from '../../../platform/index.ts';
import type { FieldProblem } from '../information.ts';

export const SITE = 'Espace médecin';

export type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Who is logged in, for the menu of every page. */
export interface Viewer {
  csrf: string;
  name: string;
  idnat: string;
  /** Linked accounts the person may switch to (the current one excluded). */
  switchable: Array<{ id: string; idnat: string; label: string }>;
}

const menu = (viewer: Viewer) =>
  html`<nav class="card" aria-label="Menu de l'espace médecin">
    <p>Connecté : <strong data-testid="viewer">${viewer.name}</strong> (<span data-testid="viewer-idnat">${viewer.idnat}</span>)</p>
    <ul class="menu">
      <li><a href="/">Accueil</a></li>
      <li><a href="/dossiers">Dossiers patients</a></li>
      <li><a href="/compte">Mon compte</a></li>
    </ul>
    ${viewer.switchable.map(
      (target) => html`<form method="post" action="/compte/basculer" class="inline">
        <input type="hidden" name="csrf" value="${viewer.csrf}" />
        <input type="hidden" name="compte" value="${target.id}" />
        <button class="button secondary" type="submit">Basculer vers le compte ${target.idnat} (${target.label})</button>
      </form>`,
    )}
    <form method="post" action="/deconnexion" class="inline">
      <input type="hidden" name="csrf" value="${viewer.csrf}" />
      <button class="button secondary" type="submit">Se déconnecter</button>
    </form>
  </nav>`;

/** The shared page shell with this site's name, and the menu once logged in. */
export const emPage = (title: string, body: Body, viewer?: Viewer) =>
  page({ site: SITE, title, homeHref: '/', body: html`${viewer ? menu(viewer) : ''}${body}` });

export const noticeBlock = (notice: string | undefined) =>
  notice ? html`<div class="status success" role="status">${notice}</div>` : '';

/** The list of a form's problems, announced at once; each also sits next to its field. */
export const problemSummary = (problems: FieldProblem[]) =>
  problems.length
    ? html`<div class="status error" role="alert" data-testid="form-problems">
        <p>Le formulaire contient ${problems.length > 1 ? `${problems.length} erreurs` : 'une erreur'} :</p>
        <ul>${problems.map((problem) => html`<li><a href="#${problem.field}">${problem.message}</a></li>`)}</ul>
      </div>`
    : '';

export const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}" />`;

/** A labelled input; its problems are tied to it for screen readers (aria-describedby). */
export function field(options: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  problems?: FieldProblem[];
  extra?: Record<string, string>;
}) {
  const messages = (options.problems ?? []).filter((p) => p.field === options.name);
  const describedBy = [
    options.hint ? `${options.name}-aide` : '',
    messages.length ? `${options.name}-erreur` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const extra = Object.entries(options.extra ?? {});
  return html`<p>
    <label for="${options.name}">${options.label}${options.required ? html` <span aria-hidden="true">*</span>` : ''}</label><br />
    ${options.hint ? html`<span class="muted" id="${options.name}-aide">${options.hint}</span><br />` : ''}
    <input id="${options.name}" name="${options.name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}"${options.required ? html` required` : ''}${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${messages.length ? html` aria-invalid="true"` : ''}${extra.map(([name, value]) => html` ${name}="${value}"`)} />
    ${messages.length ? html`<br /><span class="field-error" id="${options.name}-erreur">${messages.map((m) => m.message).join(' ')}</span>` : ''}
  </p>`;
}
