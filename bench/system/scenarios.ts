/**
 * What the driver does per operation, playing the browser, the phone (the e-CPS app's own
 * protocol client, `WalletClient`), the CPS card (a TLS client certificate) and the relying
 * party. Each operation checks every answer and throws on anything unexpected.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent, Dispatcher } from 'undici';
import { type DeviceKey, WalletClient } from '../../src/wallet/index.ts';
import type { BenchCard, BenchClient, BenchDevice, Deployment } from './deployment.ts';
import { pkcePair } from './deployment.ts';
import {
  Browser,
  basicAuth,
  expectStatus,
  FORM,
  form,
  gist,
  HttpError,
  keepAliveAgent,
  newConnectionAgent,
  redirectOf,
  send,
} from './http.ts';
import type { Operation } from './load.ts';

const random = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
const nonce = () => randomBytes(12).toString('base64url');

/** Items lent to one operation at a time (a phone answers its own requests only). */
class Lease<T> {
  readonly #free: T[];
  constructor(items: T[]) {
    this.#free = [...items];
  }
  take(): T {
    if (this.#free.length === 0) throw new Error('no free item left in the pool (raise --devices)');
    const index = Math.floor(Math.random() * this.#free.length);
    const item = this.#free[index]!;
    this.#free[index] = this.#free.at(-1)!;
    this.#free.pop();
    return item;
  }
  give(item: T) {
    this.#free.push(item);
  }
}

/** A professional logged in to a relying party: what refresh, userinfo and introspection use. */
export interface Session {
  client: BenchClient;
  refreshToken: string;
  accessToken: string;
  obtainedAt: number;
}

interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

/** Shared state of the driver for one deployment. */
export class Driver {
  readonly deployment: Deployment;
  /** Browsers and the relying parties' back-end calls: keep-alive, as they hold them. */
  readonly browserAgent: Agent;
  readonly rpAgent: Agent;
  readonly phoneAgent: Agent;
  /** One new TLS connection per request. */
  readonly newConnectionAgent: Agent;
  readonly #cardAgents = new Map<BenchCard, Agent>();
  readonly #devices: Lease<BenchDevice>;
  sessions: Session[] = [];
  #cibaCounter = 0;

  constructor(deployment: Deployment) {
    this.deployment = deployment;
    this.browserAgent = keepAliveAgent(deployment.caPem);
    this.rpAgent = keepAliveAgent(deployment.caPem);
    this.phoneAgent = keepAliveAgent(deployment.caPem);
    this.newConnectionAgent = newConnectionAgent({ caPem: deployment.caPem });
    this.#devices = new Lease(deployment.devices);
  }

  async close() {
    await Promise.all(
      [
        this.browserAgent,
        this.rpAgent,
        this.phoneAgent,
        this.newConnectionAgent,
        ...this.#cardAgents.values(),
      ].map((agent) => agent.close()),
    );
  }

  get #issuer() {
    return this.deployment.issuer;
  }

  /** The card's own connections: a new TLS handshake with its certificate for each login. */
  #cardAgent(card: BenchCard): Agent {
    let agent = this.#cardAgents.get(card);
    if (!agent) {
      agent = newConnectionAgent({ caPem: this.deployment.caPem, secureContext: card.secureContext });
      this.#cardAgents.set(card, agent);
    }
    return agent;
  }

  /** The e-CPS app of a device, its calls going through the driver. */
  #phone(device: BenchDevice): WalletClient {
    const key: DeviceKey = device.key;
    return new WalletClient(
      { server: this.#issuer, deviceId: device.deviceId, idnat: device.idnat },
      async (url, init) => {
        const reply = await send(this.phoneAgent, url, init);
        return {
          ok: reply.status >= 200 && reply.status < 300,
          status: reply.status,
          json: async () => JSON.parse(reply.text),
        };
      },
      {
        create: async () => {
          throw new Error('the bench devices are activated beforehand');
        },
        load: async () => key,
        remove: async () => {},
      },
    );
  }

  async #token(
    client: BenchClient,
    fields: Record<string, string>,
    what: string,
    dispatcher: Dispatcher = this.rpAgent,
    reset = false,
  ): Promise<Tokens> {
    const reply = await send(dispatcher, `${this.#issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(client.clientId, client.secret), 'content-type': FORM },
      body: form(fields),
      reset,
    });
    expectStatus(reply, 200, what);
    const tokens = JSON.parse(reply.text) as Tokens;
    if (!tokens.access_token) throw new HttpError(`${what}: no access token`);
    return tokens;
  }

  /** Authorization request up to the login page; returns its URL (`…/interaction/<uid>`). */
  async #authorize(browser: Browser, client: BenchClient) {
    const { verifier, challenge } = pkcePair();
    const state = nonce();
    const query = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      scope: 'openid scope_all',
      acr_values: 'eidas1',
      state,
      nonce: nonce(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const loginPage = await browser.follow(
      `${this.#issuer}/protocol/openid-connect/auth?${query}`,
      'authorization request',
    );
    if (!loginPage.startsWith(`${this.#issuer}/interaction/`))
      throw new HttpError(`authorization request: unexpected redirect to ${loginPage}`);
    expectStatus(await browser.go(loginPage), 200, 'login page');
    return { loginPage, state, verifier };
  }

  /** Back at the relying party with a code: the code exchange (with the PKCE verifier). */
  async #exchange(client: BenchClient, callback: string, state: string, verifier: string): Promise<Tokens> {
    if (!callback.startsWith(`${client.redirectUri}?`))
      throw new HttpError(`login: redirected to ${callback} instead of the client`);
    const parameters = new URL(callback).searchParams;
    const code = parameters.get('code');
    if (!code || parameters.get('state') !== state)
      throw new HttpError(`login: no code or wrong state in ${callback}`);
    const tokens = await this.#token(
      client,
      { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier },
      'code exchange',
    );
    if (!tokens.id_token || !tokens.refresh_token)
      throw new HttpError('code exchange: no ID token or refresh token');
    return tokens;
  }

  /**
   * A complete e-CPS login: authorization request → login page → identifier → waiting page (the
   * code dynamique) → the phone lists its requests and approves with the code and the PIN
   * (device-signed calls) → the page's status poll → "fin" → back at the client → code exchange.
   */
  async ecpsLogin(): Promise<Session> {
    const client = random(this.deployment.clients);
    const device = this.#devices.take();
    try {
      const browser = new Browser(this.browserAgent);
      const { loginPage, state, verifier } = await this.#authorize(browser, client);
      const submitted = await browser.go(`${loginPage}/ecps`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: form({ idnat: device.idnat }),
      });
      const waiting = redirectOf(submitted, loginPage, 'e-CPS identifier');
      const page = expectStatus(await browser.go(waiting), 200, 'e-CPS waiting page');
      const code = /data-testid="code-dynamique">(\d{2})</.exec(page.text)?.[1];
      const requestId = new URL(waiting).searchParams.get('demande');
      if (!code || !requestId) throw new HttpError('e-CPS waiting page: no code dynamique');
      const phone = this.#phone(device);
      const pending = await phone.pending();
      const request = pending.find((item) => item.id === requestId);
      if (!request?.choices.includes(code)) throw new HttpError('phone: the login request is not listed');
      await phone.approve(requestId, { code, pin: device.pin });
      const status = expectStatus(
        await browser.go(`${loginPage}/ecps/etat?demande=${requestId}`),
        200,
        'e-CPS status',
      );
      if (JSON.parse(status.text).status !== 'approved') throw new HttpError(`e-CPS status: ${status.text}`);
      const resume = await browser.follow(`${loginPage}/ecps/fin?demande=${requestId}`, 'e-CPS end');
      const callback = await browser.follow(resume, 'authorization resume');
      const tokens = await this.#exchange(client, callback, state, verifier);
      return {
        client,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token!,
        obtainedAt: Date.now(),
      };
    } finally {
      this.#devices.give(device);
    }
  }

  /**
   * A complete card login: authorization request → login page → "Carte CPS" → the card host on
   * a new TLS connection presenting the card's certificate → back with the signed assertion →
   * at the client → code exchange.
   */
  async cardLogin(): Promise<void> {
    const client = random(this.deployment.clients);
    const card = random(this.deployment.cards);
    const browser = new Browser(this.browserAgent);
    const { loginPage, state, verifier } = await this.#authorize(browser, client);
    const cardHost = await browser.follow(`${loginPage}/carte`, '"Carte CPS"');
    if (!cardHost.startsWith(`${this.deployment.cardHostUrl}/connexion?`))
      throw new HttpError(`"Carte CPS": unexpected redirect to ${cardHost}`);
    const back = redirectOf(
      await browser.go(cardHost, { dispatcher: this.#cardAgent(card), reset: true }),
      cardHost,
      'card host',
    );
    const resume = await browser.follow(back, 'card assertion');
    const callback = await browser.follow(resume, 'authorization resume');
    await this.#exchange(client, callback, state, verifier);
  }

  /** CIBA: the client's backchannel request → the phone approves with the PIN → the token poll. */
  async ciba(): Promise<void> {
    const client = random(this.deployment.clients);
    const device = this.#devices.take();
    try {
      const binding = `Connexion bench ${++this.#cibaCounter}`;
      const started = await send(this.rpAgent, `${this.#issuer}/protocol/openid-connect/ext/ciba/auth`, {
        method: 'POST',
        headers: { authorization: basicAuth(client.clientId, client.secret), 'content-type': FORM },
        body: form({
          scope: 'openid scope_all',
          login_hint: device.idnat,
          binding_message: binding,
          acr_values: 'eidas1',
        }),
      });
      expectStatus(started, 200, 'CIBA request');
      const authReqId = JSON.parse(started.text).auth_req_id as string;
      const phone = this.#phone(device);
      const request = (await phone.pending()).find((item) => item.bindingMessage === binding);
      if (!request) throw new HttpError('phone: the CIBA request is not listed');
      await phone.approve(request.id, { pin: device.pin });
      for (let poll = 0; ; poll++) {
        const reply = await send(this.rpAgent, `${this.#issuer}/protocol/openid-connect/token`, {
          method: 'POST',
          headers: { authorization: basicAuth(client.clientId, client.secret), 'content-type': FORM },
          body: form({ grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId }),
        });
        if (reply.status === 200) return;
        if (reply.status === 400 && reply.text.includes('authorization_pending') && poll < 50) {
          await sleep(20);
          continue;
        }
        throw new HttpError(`CIBA token: ${reply.status} ${gist(reply.text)}`);
      }
    } finally {
      this.#devices.give(device);
    }
  }

  async #refresh(session: Session, newConnection: boolean): Promise<void> {
    const tokens = await this.#token(
      session.client,
      { grant_type: 'refresh_token', refresh_token: session.refreshToken },
      'refresh',
      newConnection ? this.newConnectionAgent : this.rpAgent,
      newConnection,
    );
    session.accessToken = tokens.access_token;
    if (tokens.refresh_token) session.refreshToken = tokens.refresh_token;
    session.obtainedAt = Date.now();
  }

  refresh(newConnection: boolean): Promise<void> {
    return this.#refresh(random(this.sessions), newConnection);
  }

  async clientCredentials(newConnection: boolean): Promise<void> {
    await this.#token(
      random(this.deployment.clients),
      { grant_type: 'client_credentials' },
      'client credentials',
      newConnection ? this.newConnectionAgent : this.rpAgent,
      newConnection,
    );
  }

  /** A session whose access token still has a minute to live (tokens last 300 s). */
  async #liveSession(): Promise<Session> {
    const session = random(this.sessions);
    if (Date.now() - session.obtainedAt > 240_000) await this.#refresh(session, false);
    return session;
  }

  async userinfo(): Promise<void> {
    const session = await this.#liveSession();
    const reply = await send(this.rpAgent, `${this.#issuer}/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' },
    });
    expectStatus(reply, 200, 'userinfo');
    if (!JSON.parse(reply.text).SubjectRefPro) throw new HttpError('userinfo: no PSC claims');
  }

  async introspection(): Promise<void> {
    const session = await this.#liveSession();
    const reply = await send(this.rpAgent, `${this.#issuer}/protocol/openid-connect/token/introspect`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(session.client.clientId, session.client.secret),
        'content-type': FORM,
      },
      body: form({ token: session.accessToken }),
    });
    expectStatus(reply, 200, 'introspection');
    if (JSON.parse(reply.text).active !== true) throw new HttpError(`introspection: ${reply.text}`);
  }

  async health(): Promise<void> {
    expectStatus(await send(this.rpAgent, `${this.#issuer}/health/live`), 200, 'health');
  }

  /** Fresh access tokens for every session (before a scenario that uses them). */
  async freshenSessions(olderThanMs = 60_000): Promise<void> {
    const stale = this.sessions.filter((session) => Date.now() - session.obtainedAt > olderThanMs);
    for (let i = 0; i < stale.length; i += 8) {
      await Promise.all(stale.slice(i, i + 8).map((session) => this.#refresh(session, false)));
    }
  }
}

export interface Scenario {
  name: string;
  description: string;
  /** What one operation is. */
  unit: string;
  /** Operations per CPU-second of the server process tree this scenario must reach. */
  target?: number;
  /** Uses the logged-in sessions (made by e-CPS logins before the measure). */
  sessions?: boolean;
  operation(driver: Driver): Operation;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'http-floor',
    description:
      'GET /health/live on the provider origin, keep-alive: the floor of any request (TLS, HTTP, middleware)',
    unit: 'request',
    operation: (driver) => () => driver.health(),
  },
  {
    name: 'login-ecps',
    description: 'complete authorization-code logins with the e-CPS (phone signature, code, PIN), PKCE',
    unit: 'login',
    target: 300,
    operation: (driver) => async () => {
      await driver.ecpsLogin();
    },
  },
  {
    name: 'login-card',
    description: 'complete logins with the CPS card (new TLS connection with the certificate per login)',
    unit: 'login',
    target: 300,
    operation: (driver) => () => driver.cardLogin(),
  },
  {
    name: 'ciba',
    description: 'CIBA e-CPS round trips (backchannel request, phone approval, token)',
    unit: 'login',
    operation: (driver) => () => driver.ciba(),
  },
  {
    name: 'refresh',
    description: 'refresh token grants, keep-alive connections',
    unit: 'refresh',
    sessions: true,
    operation: (driver) => () => driver.refresh(false),
  },
  {
    name: 'refresh-tls',
    description: 'refresh token grants, a new TLS connection per request',
    unit: 'refresh',
    target: 1200,
    sessions: true,
    operation: (driver) => () => driver.refresh(true),
  },
  {
    name: 'client-credentials',
    description: 'client credentials grants, keep-alive connections',
    unit: 'grant',
    operation: (driver) => () => driver.clientCredentials(false),
  },
  {
    name: 'client-credentials-tls',
    description: 'client credentials grants, a new TLS connection per request',
    unit: 'grant',
    target: 1200,
    operation: (driver) => () => driver.clientCredentials(true),
  },
  {
    name: 'userinfo',
    description: 'userinfo (PSC claims from the directory), keep-alive',
    unit: 'request',
    target: 3000,
    sessions: true,
    operation: (driver) => () => driver.userinfo(),
  },
  {
    name: 'introspection',
    description: 'token introspection by the client that holds the token, keep-alive',
    unit: 'request',
    sessions: true,
    operation: (driver) => () => driver.introspection(),
  },
];
