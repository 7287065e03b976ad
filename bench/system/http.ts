/**
 * The load driver's HTTP side: undici dispatchers for keep-alive traffic and for one new TLS
 * connection per request (no session resumption, so each is a full handshake), a browser-like
 * cookie jar, and small helpers for forms and redirects.
 */
import type { SecureContext } from 'node:tls';
import { Agent, type Dispatcher, request } from 'undici';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface Send {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Close the connection after this exchange (one TLS connection per request). */
  reset?: boolean;
}

/** Requests slower than this count as errors. */
const TIMEOUT_MS = 30_000;

export class HttpError extends Error {}

/** The gist of an answer for an error message: an HTML page's main text, or the body's start. */
export function gist(text: string): string {
  const body = text.includes('<html') ? (/<main[^>]*>([\s\S]*?)<\/main>/.exec(text)?.[1] ?? text) : text;
  return body
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 240);
}

/**
 * Keep-alive connections, as a browser or a relying party's HTTP client holds them. `connections`
 * bounds the sockets per origin.
 */
export function keepAliveAgent(caPem: string, connections = 256): Agent {
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    connect: { ca: caPem, servername: 'localhost' },
  });
}

/**
 * A new TLS connection for every request: requests go with `reset: true` and no TLS session is
 * cached, so every request pays a full handshake (Keycloak's client-credentials sizing: "each
 * client runs only a single request"). `secureContext` carries a client certificate (CPS card).
 */
export function newConnectionAgent(options: { caPem: string; secureContext?: SecureContext }): Agent {
  return new Agent({
    connections: 1024,
    pipelining: 1,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    connect: {
      ca: options.caPem,
      servername: 'localhost',
      maxCachedSessions: 0,
      ...(options.secureContext ? { secureContext: options.secureContext } : {}),
    },
  });
}

/** HTTP exchanges made so far by the driver (all dispatchers), to tell requests per operation. */
export const exchanges = { count: 0 };

export async function send(dispatcher: Dispatcher, url: string, options: Send = {}): Promise<Reply> {
  exchanges.count++;
  const response = await request(url, {
    dispatcher,
    method: (options.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: options.headers,
    body: options.body,
    reset: options.reset,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

/** The Location of a redirect, resolved against the request URL; throws on anything else. */
export function redirectOf(reply: Reply, from: string, what: string): string {
  const location = reply.headers.location;
  if (reply.status < 300 || reply.status > 399 || typeof location !== 'string') {
    throw new HttpError(`${what}: expected a redirect, got ${reply.status} ${gist(reply.text)}`);
  }
  return new URL(location, from).toString();
}

export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status)
    throw new HttpError(`${what}: expected ${status}, got ${reply.status} ${gist(reply.text)}`);
  return reply;
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export const FORM = 'application/x-www-form-urlencoded';

export function basicAuth(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: each part form-urlencoded before base64.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

interface Cookie {
  value: string;
  path: string;
}

/**
 * One browser's cookies for the deployment's host. Cookies ignore ports, so the provider's and
 * the card host's (same host, other port) share the jar as in a browser; paths are honoured
 * (oidc-provider scopes its interaction cookies to one path).
 */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  header(url: string): string | undefined {
    const path = new URL(url).pathname;
    const pairs: string[] = [];
    for (const [name, cookie] of this.#cookies) {
      const matches =
        path === cookie.path ||
        (path.startsWith(cookie.path) && (cookie.path.endsWith('/') || path[cookie.path.length] === '/'));
      if (matches) pairs.push(`${name}=${cookie.value}`);
    }
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  store(reply: Reply, url: string): void {
    const raw = reply.headers['set-cookie'];
    if (!raw) return;
    const defaultPath = new URL(url).pathname.replace(/\/[^/]*$/, '') || '/';
    for (const line of Array.isArray(raw) ? raw : [raw]) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      let path = defaultPath;
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', attributeValue = ''] = attribute.split('=').map((part) => part.trim());
        const lower = key.toLowerCase();
        if (lower === 'path' && attributeValue.startsWith('/')) path = attributeValue;
        if (lower === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(attributeValue) < Date.now()) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }
}

/** A browser: its cookie jar over a shared keep-alive dispatcher. */
export class Browser {
  readonly jar = new CookieJar();
  readonly #dispatcher: Dispatcher;

  constructor(dispatcher: Dispatcher) {
    this.#dispatcher = dispatcher;
  }

  async go(url: string, options: Send & { dispatcher?: Dispatcher } = {}): Promise<Reply> {
    const cookie = this.jar.header(url);
    const headers = {
      accept: 'text/html,application/json',
      ...options.headers,
      ...(cookie ? { cookie } : {}),
    };
    const reply = await send(options.dispatcher ?? this.#dispatcher, url, { ...options, headers });
    this.jar.store(reply, url);
    return reply;
  }

  /** GET that must redirect: the next URL. */
  async follow(url: string, what: string, dispatcher?: Dispatcher): Promise<string> {
    return redirectOf(await this.go(url, { dispatcher }), url, what);
  }
}
