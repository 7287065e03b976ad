import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import { asCaduceeError, NotFound, RequestTooLarge, StoreUnavailable } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { httpDuration, httpRequests, registry } from './metrics.ts';
import { renderError } from './render-error.ts';
import { contentSecurityPolicyDirectives } from './security-headers.ts';

export interface AppOptions {
  /** Name used in logs and metrics (`idp`, `card-host`…). */
  service: string;
  log: Logger;
  /** Throws when a dependency the service needs is down (database, Redis). */
  ready: () => Promise<void>;
  /**
   * Other origins this service's forms may lead to. Browsers apply `form-action` to the redirects
   * that follow a form post too: a relying party whose logout form redirects to the provider must
   * name it.
   */
  formTargets?: string[];
  /** Paths (by prefix) whose request bodies are limited below MAX_REQUEST_BYTES, in bytes. */
  bodyLimits?: Record<string, number>;
}

/**
 * Largest request body any of our pages or APIs reads (forms, JSON): far above what they take,
 * low enough that a client cannot make a node hold a huge body in memory. Routes may ask less.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * The HTTP skeleton every Caducée server shares: security headers with a strict CSP, health and
 * metrics endpoints, request metrics, and one error renderer for JSON and HTML.
 */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: contentSecurityPolicyDirectives(options.formTargets),
      referrerPolicy: 'no-referrer',
    }),
  );
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c) || 'unmatched';
    httpRequests.inc({ service: options.service, method: c.req.method, route, status: String(c.res.status) });
    httpDuration.observe(
      { service: options.service, method: c.req.method, route },
      (performance.now() - started) / 1000,
    );
  });
  // Hono's limit holds a chunked body until it is whole or over the limit: a route with a smaller
  // limit of its own must be given it here, or a client could make it hold 1 MiB anyway.
  const limit = (maxBytes: number) =>
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw RequestTooLarge({ maxBytes });
      },
    });
  const smaller = Object.entries(options.bodyLimits ?? {}).map(([prefix, maxBytes]) => ({
    prefix,
    check: limit(Math.min(maxBytes, MAX_REQUEST_BYTES)),
  }));
  const general = limit(MAX_REQUEST_BYTES);
  app.use((c, next) =>
    (smaller.find(({ prefix }) => c.req.path.startsWith(prefix))?.check ?? general)(c, next),
  );
  app.get('/health/live', (c) => c.json({ status: 'ok', service: options.service }));
  app.get('/health/ready', async (c) => {
    try {
      await options.ready();
      return c.json({ status: 'ok', service: options.service });
    } catch (error) {
      // What is down and how, without the driver's message (addresses) on a public endpoint.
      const known = asCaduceeError(error).error;
      const unavailable =
        known.code === StoreUnavailable.code
          ? known
          : StoreUnavailable({ store: options.service, reason: 'ne répond pas' }, error);
      options.log.warn({ err: error }, 'not ready');
      return c.json(
        { status: 'unavailable', error: { code: unavailable.code, message: unavailable.message } },
        503,
      );
    }
  });
  app.get('/metrics', async (c) =>
    c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );
  app.notFound((c) => renderError(NotFound({ what: `La page ${c.req.path}` }), c, options.log));
  app.onError((error, c) => renderError(error, c, options.log));
  return app;
}
