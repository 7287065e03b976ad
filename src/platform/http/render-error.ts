import type { Context } from 'hono';
import { html } from 'hono/html';
import { asCaduceeError, type CaduceeError, errorToJson } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { errorSection } from './layout.ts';
import { setRetryAfter } from './retry-after.ts';

function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return (
    // Our JSON APIs live under an `api` segment: /api/directory, /ecps/api…
    /(^|\/)api\//.test(c.req.path) ||
    c.req.path.startsWith('/health/') ||
    (accept.includes('application/json') && !accept.includes('text/html'))
  );
}

/** A page a professional understands: the message, what to do, never a stack trace. */
export function errorPage(error: CaduceeError) {
  return html`<!doctype html>
<html lang="fr">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Erreur — Caducée</title>
  </head>
  <body>
    <main>
      <h1>Une erreur est survenue</h1>
      ${errorSection(error)}
    </main>
  </body>
</html>`;
}

/** Renders anything thrown by a route: JSON for APIs, an HTML page for browsers. */
export function renderError(thrown: unknown, c: Context, log: Logger) {
  const { error, reference } = asCaduceeError(thrown);
  if (reference) log.error({ err: thrown, reference, path: c.req.path }, 'unexpected error');
  else if (error.code === 'STORE_UNAVAILABLE')
    log.warn({ err: thrown, path: c.req.path }, 'store unavailable');
  const status = error.status as 400;
  setRetryAfter(c, error);
  if (wantsJson(c)) return c.json(errorToJson(error), status);
  return c.html(errorPage(error), status);
}
