import type Provider from 'oidc-provider';
import {
  asCaduceeError,
  type CaduceeError,
  describeStoreFailure,
  type Logger,
  NotFound,
  StoreUnavailable,
} from '../../platform/index.ts';
import { providerFailurePage } from '../interaction/pages.ts';

type Middleware = Parameters<Provider['use']>[0];
type KoaContext = Parameters<Middleware>[0];

const STORE_FAILURE = Symbol('caducee.storeFailure');
const OAUTH_ERRORS: Record<number, string> = { 503: 'temporarily_unavailable', 404: 'invalid_request' };

/**
 * What the provider's own endpoints answer when something fails outside the OAuth protocol.
 *
 * - A store that does not answer (PostgreSQL, SQLite locked, Redis in the scale-out mode) is no
 *   bug: 503 and STORE_UNAVAILABLE's French message, as our own routes say it, instead of
 *   oidc-provider's "server_error" 500. oidc-provider catches its routes' errors itself and
 *   reports them by its `server_error` event, which marks the request; the answer is rewritten
 *   once its handler is done.
 * - An error thrown by middleware added to the provider (the rate limits, reading their Redis
 *   counters) never reaches oidc-provider's handler: Koa's would answer a bare 500 and drop the
 *   security headers already set. It is answered here instead, in the shape the client expects.
 * - A request no route takes gets NOT_FOUND, as on our own routes.
 *
 * Installed first, so that it wraps every other middleware of the provider.
 */
export function answerFailures(provider: Provider, log: Logger): void {
  provider.on('server_error', (ctx, error) => {
    const failure = describeStoreFailure(error);
    if (failure) {
      (ctx.state as Record<symbol, unknown>)[STORE_FAILURE] = StoreUnavailable(failure, error);
      log.warn({ err: error, path: ctx.path }, 'store unavailable');
    } else {
      log.error({ err: error }, 'oidc provider error');
    }
  });
  provider.use(async (ctx, next) => {
    try {
      await next();
    } catch (thrown) {
      const { error, reference } = asCaduceeError(thrown);
      if (reference) log.error({ err: thrown, reference, path: ctx.path }, 'unexpected error');
      else log.warn({ err: thrown, path: ctx.path, code: error.code }, 'provider request failed');
      answer(ctx, error);
      return;
    }
    const failure = (ctx.state as Record<symbol, CaduceeError | undefined>)[STORE_FAILURE];
    if (failure) answer(ctx, failure);
    // No route of oidc-provider took it (an unknown path, POST at the authorization endpoint):
    // Koa would answer a bare "Not Found".
    else if (ctx.status === 404 && ctx.body == null) answer(ctx, NotFound({ what: `La page ${ctx.path}` }));
  });
}

function answer(ctx: KoaContext, error: CaduceeError): void {
  ctx.status = error.status;
  ctx.set('cache-control', 'no-store');
  if (ctx.accepts('json', 'html') === 'html') {
    ctx.type = 'html';
    ctx.body = providerFailurePage(error);
  } else {
    // OAuth's shape: `temporarily_unavailable` is its registered "come back later".
    ctx.body = {
      error: OAUTH_ERRORS[error.status] ?? 'server_error',
      error_description: error.message,
    };
  }
}
