import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { CaduceeError } from '../errors/index.ts';

type Content = HtmlEscapedString | Promise<HtmlEscapedString> | string;

const STYLESHEET = readFileSync(new URL('./assets/caducee.css', import.meta.url), 'utf8');

/** Serves the shared stylesheet at `/assets/caducee.css` (no inline style: strict CSP). */
export function serveAssets(app: Hono): void {
  app.get('/assets/caducee.css', (c) =>
    c.body(STYLESHEET, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );
}

/** The page shell every server-rendered page uses: French, skip link, landmarks, one h1. */
export function page(options: { title: string; site: string; body: Content; homeHref?: string }) {
  return html`<!doctype html>
<html lang="fr">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${options.title} — ${options.site}</title>
    <link rel="stylesheet" href="/assets/caducee.css" />
  </head>
  <body>
    <a class="skip-link" href="#contenu">Aller au contenu</a>
    <header class="site"><a href="${options.homeHref ?? '/'}">${options.site}</a></header>
    <main id="contenu">${options.body}</main>
    <footer class="site">Caducée — implémentation ouverte de l'identité numérique des professionnels de santé.</footer>
  </body>
</html>`;
}

/**
 * How every page tells a failure: the catalogued message (after `lead`, when the page names the
 * situation first), the hint saying what to do, and the stable code to quote to support, in one
 * alert box announced by screen readers.
 */
export function errorSection(
  error: CaduceeError | undefined,
  options: { heading?: string; lead?: string; id?: string } = {},
) {
  if (!error) return '';
  return html`<div class="status error" role="alert"${options.id ? html` id="${options.id}"` : ''}>
    ${options.heading ? html`<h2>${options.heading}</h2>` : ''}
    <p>${options.lead ? html`<strong>${options.lead}</strong> ` : ''}${error.message}</p>
    ${error.hint ? html`<p>${error.hint}</p>` : ''}
    <p class="muted">Code : ${error.code}</p>
  </div>`;
}
