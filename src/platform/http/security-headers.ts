/**
 * The security headers of every Caducée response: Hono's `secureHeaders` sets them on the pages
 * and APIs built with `createApp`; `securityHeaders` gives the same set as a plain header map for
 * responses Hono does not build (oidc-provider's, on the provider origin). A test compares the
 * two on one origin, so that they cannot drift apart.
 */

/** The CSP, as Hono's `secureHeaders` takes it: no inline script or style anywhere. */
export function contentSecurityPolicyDirectives(formTargets: string[] = []) {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'", ...formTargets],
  };
}

/** `defaultSrc` → `default-src`, as the header spells directive names. */
function directiveName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The CSP header value, in the form Hono writes it. */
export function contentSecurityPolicy(formTargets: string[] = []): string {
  return Object.entries(contentSecurityPolicyDirectives(formTargets))
    .map(([key, values]) => `${directiveName(key)} ${values.join(' ')}`)
    .join('; ');
}

/** Every header `createApp` sets (Hono's `secureHeaders` defaults plus our CSP and referrer policy). */
export function securityHeaders(formTargets: string[] = []): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(formTargets),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=15552000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

/**
 * Adds sources to the `form-action` directive of a CSP value, keeping the other directives as
 * they are (oidc-provider may have added a script hash meanwhile). Browsers check `form-action`
 * against the redirects that follow a form post too, so a page whose form ends at another origin
 * must name it.
 */
export function withFormTargets(csp: string, targets: string[]): string {
  if (targets.length === 0) return csp;
  const directives = csp
    .split(';')
    .map((directive) => directive.trim())
    .filter(Boolean);
  const index = directives.findIndex((directive) => directive.split(/\s+/)[0] === 'form-action');
  if (index === -1) return csp;
  const sources = directives[index]!.split(/\s+/);
  for (const target of targets) if (!sources.includes(target)) sources.push(target);
  directives[index] = sources.join(' ');
  return directives.join('; ');
}
