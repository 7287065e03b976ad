import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'amaro';
import { type Context, Hono } from 'hono';
import { routePath } from 'hono/route';

const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** What sw.js says before the server fills in the real list of files and their version. */
const SW_PLACEHOLDER = "{ version: 'dev', shell: ['./'] }";

interface StaticFile {
  body: Uint8Array;
  type: string;
  etag: string;
}

function staticFile(name: string, body: Uint8Array | string): StaticFile {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
  const type = TYPES[path.extname(name)];
  if (!type) throw new Error(`e-CPS app: no content type for ${name}`);
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
  return { body: bytes, type, etag };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/**
 * Every file of the app, read once at start. The protocol client is the very module the CLI
 * runs (`src/wallet/protocol.ts`), with its types stripped, so both apps speak the same protocol.
 */
function loadApp(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of listFiles(ASSETS)) {
    if (name === 'sw.js') continue;
    files.set(name, staticFile(name, readFileSync(path.join(ASSETS, name))));
  }
  const protocol = transformSync(readFileSync(new URL('../protocol.ts', import.meta.url), 'utf8'), {
    mode: 'strip-only',
  }).code;
  // The browser has no module resolution for it: a value import would break the app at load.
  if (/^\s*import\s/m.test(protocol))
    throw new Error('e-CPS app: src/wallet/protocol.ts must import nothing, the PWA loads it as it is');
  files.set('protocol.js', staticFile('protocol.js', protocol));
  const jsQR = createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js');
  files.set('vendor/jsQR.js', staticFile('vendor/jsQR.js', readFileSync(jsQR)));

  // The service worker caches the shell under a version that changes with any file, so that a
  // new deployment replaces the old cache instead of serving stale modules offline.
  const shell = [
    './',
    '../../assets/caducee.css',
    ...[...files.keys()].filter((name) => name !== 'index.html').sort(),
  ];
  const version = createHash('sha256')
    .update([...files.values()].map((file) => file.etag).join())
    .digest('base64url')
    .slice(0, 12);
  const sw = readFileSync(path.join(ASSETS, 'sw.js'), 'utf8');
  if (!sw.includes(SW_PLACEHOLDER)) throw new Error('e-CPS app: sw.js lost its build placeholder');
  files.set('sw.js', staticFile('sw.js', sw.replace(SW_PLACEHOLDER, JSON.stringify({ version, shell }))));
  return files;
}

function send(c: Context, file: StaticFile) {
  if (c.req.header('if-none-match') === file.etag)
    return c.body(null, 304, { etag: file.etag, 'cache-control': 'no-cache' });
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
    'content-type': file.type,
    etag: file.etag,
    // Revalidated every time: a new deployment reaches phones at once; the service worker keeps
    // the offline copy.
    'cache-control': 'no-cache',
  });
}

/**
 * The e-CPS app as an installable PWA, mounted at `/ecps/app` on the provider's origin. Static
 * files only: the app talks to `/ecps/api` like the CLI does.
 */
export function walletAppRoutes(): Hono {
  const files = loadApp();
  const app = new Hono();
  // Relative URLs in the page (and the service worker's scope) need the trailing slash.
  app.get('/', (c) => c.redirect(`${c.req.path}/`, 301));
  app.get('/*', (c) => {
    const name = c.req.path.slice(routePath(c).length - 1) || 'index.html';
    const file = files.get(name);
    return file ? send(c, file) : c.notFound();
  });
  return app;
}
