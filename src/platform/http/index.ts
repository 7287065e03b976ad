export { type AppOptions, createApp, MAX_REQUEST_BYTES } from './app.ts';
export { answerClientErrors } from './client-errors.ts';
export { errorSection, page, serveAssets } from './layout.ts';
export { listen, type RunningServer } from './listen.ts';
export { httpDuration, httpRequests, registry } from './metrics.ts';
export { errorPage, renderError } from './render-error.ts';
export { postedFromOrigin } from './same-origin.ts';
export {
  contentSecurityPolicy,
  contentSecurityPolicyDirectives,
  securityHeaders,
  withFormTargets,
} from './security-headers.ts';
