import type { Context } from 'hono';

/**
 * Whether a POST comes from a page of `origin` (or from no browser at all). Browsers say where a
 * form was posted from in Sec-Fetch-Site; under our `Referrer-Policy: no-referrer` they may send
 * `Origin: null`, so Origin only counts when it names a real origin. A request with neither
 * header is not a browser's (a back-channel call, a script), and so not a cross-site forgery.
 * Each domain refuses with its own catalogued error.
 */
export function postedFromOrigin(c: Context, origin: string): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const sent = c.req.header('origin');
  return sent === undefined || sent === 'null' || sent === origin;
}
