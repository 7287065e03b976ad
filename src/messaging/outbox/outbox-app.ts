import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import {
  createApp,
  type Logger,
  listen,
  NotFound,
  page,
  type RunningServer,
  serveAssets,
} from '../../platform/index.ts';
import type { Outbox, OutboxEntry } from './outbox.ts';

const SITE = 'Caducée — boîte d’envoi de développement';

// Image types a browser shows without running anything; any other attachment is only downloaded.
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const attachmentUrl = (id: string, index: number) =>
  `/api/messages/${encodeURIComponent(id)}/attachments/${index}`;

const when = (at: string) =>
  new Date(at).toLocaleString('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long', timeStyle: 'medium' });

/** Plain text as paragraphs, its links clickable (activation links are followed from here). */
function textBody(text: string) {
  return text
    .trim()
    .split(/\n{2,}/)
    .map(
      (paragraph) =>
        html`<p>${paragraph.split('\n').map((line, index) => html`${index > 0 ? html`<br />` : ''}${linkified(line)}`)}</p>`,
    );
}

function linkified(line: string) {
  return line
    .split(/(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)])/)
    .map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : part));
}

function messageCard(m: OutboxEntry) {
  const images = m.attachments
    .map((a, index) => ({ ...a, index }))
    .filter((a) => INLINE_IMAGES.has(a.contentType));
  return html`<article class="card">
    <h2>${m.kind === 'mail' ? `E-mail : ${m.subject || '(sans objet)'}` : 'SMS'}</h2>
    <dl class="facts">
      <dt>Destinataire</dt>
      <dd>${m.to}</dd>
      <dt>Envoyé le</dt>
      <dd><time datetime="${m.at}">${when(m.at)}</time></dd>
      ${
        m.attachments.length > 0
          ? html`<dt>Pièces jointes</dt>
              <dd>
                ${m.attachments.map(
                  (a, index) =>
                    html`${index > 0 ? ', ' : ''}<a href="${attachmentUrl(m.id, index)}">${a.filename}</a>`,
                )}
              </dd>`
          : ''
      }
    </dl>
    ${textBody(m.text)}
    ${images.map(
      (a) =>
        html`<p><img src="${attachmentUrl(m.id, a.index)}" alt="Image jointe : ${a.filename}" width="240" /></p>`,
    )}
    ${m.html ? html`<p><a href="/messages/${encodeURIComponent(m.id)}/html">Voir la version HTML de l’e-mail</a></p>` : ''}
  </article>`;
}

/**
 * The dev outbox: `/` for people, `/api/messages` (newest first, DESIGN §5) for scripts and tests,
 * `DELETE /api/messages` to start a test from an empty box.
 */
export function outboxApp(outbox: Outbox, log: Logger, ready: () => Promise<void>): Hono {
  const app = createApp({ service: 'outbox', log, ready });
  serveAssets(app);

  app.get('/api/messages', async (c) => c.json(await outbox.list()));
  app.delete('/api/messages', async (c) => {
    await outbox.clear();
    return c.body(null, 204);
  });
  app.get('/api/messages/:id/attachments/:index', async (c) => {
    const index = c.req.param('index');
    const attachment = /^\d+$/.test(index)
      ? (await outbox.attachments(c.req.param('id')))[Number(index)]
      : undefined;
    if (!attachment) throw NotFound({ what: 'Pièce jointe' });
    const inline = INLINE_IMAGES.has(attachment.contentType);
    return c.body(new Uint8Array(attachment.content), 200, {
      'content-type': inline ? attachment.contentType : 'application/octet-stream',
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
    });
  });

  // The mail as its recipient's client would show it; the app's CSP keeps its scripts and remote
  // images from running or loading, and `cid:` images point at the stored attachments.
  app.get('/messages/:id/html', async (c) => {
    const id = c.req.param('id');
    const message = await outbox.get(id);
    if (!message?.html) throw NotFound({ what: 'Version HTML de ce message' });
    const cids = (await outbox.attachments(id)).map((a) => a.cid);
    const body = message.html.replace(/(["'])cid:([^"']+)\1/g, (whole, quote: string, cid: string) => {
      const index = cids.indexOf(cid);
      return index < 0 ? whole : `${quote}${attachmentUrl(id, index)}${quote}`;
    });
    return c.html(body);
  });

  app.get('/', async (c) => {
    const messages = await outbox.entries();
    const list: Array<HtmlEscapedString | Promise<HtmlEscapedString>> = messages.map(messageCard);
    return c.html(
      page({
        site: SITE,
        title: 'Messages envoyés',
        body: html`<h1>Messages envoyés</h1>
          <p class="muted">
            Ce déploiement ne distribue ni e-mail ni SMS : ils arrivent ici, du plus récent au plus ancien.
            Version JSON : <a href="/api/messages">/api/messages</a>.
          </p>
          ${messages.length === 0 ? html`<p>Aucun message pour l’instant.</p>` : list}`,
      }),
    );
  });
  return app;
}

export interface OutboxServerOptions {
  outbox: Outbox;
  log: Logger;
  /** Address to listen on, 127.0.0.1 unless told. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** The public URL (`outbox.url`), when it is not `http://host:port`. */
  url?: string;
  /** Throws when the database is down (for `/health/ready`). */
  ready?: () => Promise<void>;
}

/** Serves the dev outbox pages. */
export function startOutbox(options: OutboxServerOptions): Promise<RunningServer> {
  const app = outboxApp(
    options.outbox,
    options.log,
    options.ready ?? (async () => void (await options.outbox.list(1))),
  );
  const host = options.host ?? '127.0.0.1';
  return listen(app, {
    host,
    port: options.port,
    publicUrl: (port) => options.url?.replace(/\/$/, '') ?? `http://${host}:${port}`,
  });
}
