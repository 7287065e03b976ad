/**
 * What the driver does per operation, playing the browser, the phone (the e-CPS app's own
 * protocol client, `WalletClient`), the CPS card (a TLS client certificate), the relying
 * party and the professional reading their e-mail. Each operation checks every answer and
 * throws on anything unexpected.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Agent, Client, type Dispatcher } from 'undici';
import { type DeviceKey, WalletClient } from '../../src/wallet/index.ts';
import type { BenchAccount, BenchCard, BenchClient, BenchDevice, Deployment } from './deployment.ts';
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

/**
 * Espace médecin accounts taken in turn (first in, first out), so that each is used as rarely
 * as the pool allows: the espace médecin sends at most 10 e-mails per identifier and hour
 * (`MAILS_PER_IDENTIFIER`), and a bench that hit that limit would measure refusals.
 */
class Rotation {
  static readonly MAILS_PER_HOUR = 10;
  readonly #free: BenchAccount[];
  readonly #sent = new Map<BenchAccount, number[]>();
  constructor(items: BenchAccount[]) {
    this.#free = [...items];
  }
  take(): BenchAccount {
    const account = this.#free.shift();
    if (!account) throw new Error('no free account left in the pool (raise --accounts)');
    const hourAgo = Date.now() - 3_600_000;
    const sent = (this.#sent.get(account) ?? []).filter((at) => at > hourAgo);
    if (sent.length >= Rotation.MAILS_PER_HOUR) {
      this.#free.unshift(account);
      throw new Error('every account had its 10 e-mails of the hour (raise --accounts)');
    }
    sent.push(Date.now());
    this.#sent.set(account, sent);
    return account;
  }
  give(account: BenchAccount) {
    this.#free.push(account);
  }
}

/**
 * A loopback source address per browser (127.0.0.0/8 is all loopback on Linux): the espace
 * médecin counts e-mails per address too (30 an hour), as real logins come from many addresses.
 */
function browserAddress(index: number): string {
  const a = (index % 254) + 1;
  const b = Math.floor(index / 254) % 256;
  const c = (Math.floor(index / (254 * 256)) % 254) + 1;
  return `127.${c}.${b}.${a}`;
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
  readonly #accounts: Rotation;
  sessions: Session[] = [];
  #cibaCounter = 0;
  #browsers = 0;

  constructor(deployment: Deployment) {
    this.deployment = deployment;
    this.browserAgent = keepAliveAgent(deployment.caPem);
    this.rpAgent = keepAliveAgent(deployment.caPem);
    this.phoneAgent = keepAliveAgent(deployment.caPem);
    this.newConnectionAgent = newConnectionAgent({ caPem: deployment.caPem });
    this.#devices = new Lease(deployment.devices);
    this.#accounts = new Rotation(deployment.espaceMedecin?.accounts ?? []);
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

  /**
   * A complete "Authentification forte par e-mail" login at the espace médecin: a new browser
   * (its own connection, from its own address) opens the login page → posts identifier and
   * password (argon2id) → lands on the code page → reads the 6-digit code in the e-mail
   * (SMTP, the driver's mailbox) → posts it → is sent home, logged in.
   */
  async passwordLogin(): Promise<void> {
    const espaceMedecin = this.deployment.espaceMedecin;
    if (!espaceMedecin) throw new Error('the deployment has no espace médecin');
    const base = espaceMedecin.url;
    const account = this.#accounts.take();
    const connection = new Client(base, {
      localAddress: browserAddress(this.#browsers++),
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    // What a browser sends with a form of the page's own origin.
    const sameOrigin = { 'content-type': FORM, origin: base, 'sec-fetch-site': 'same-origin' };
    try {
      const browser = new Browser(connection);
      const page = expectStatus(await browser.go(`${base}/connexion`), 200, 'login page');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
      if (!csrf) throw new HttpError('login page: no form token');
      const posted = await browser.go(`${base}/connexion/email`, {
        method: 'POST',
        headers: sameOrigin,
        body: form({ csrf, identifiant: account.idnat, mot_de_passe: account.password }),
      });
      const codePage = redirectOf(posted, `${base}/connexion/email`, 'identifier and password');
      const demande = new URL(codePage).searchParams.get('demande');
      if (!codePage.startsWith(`${base}/connexion/email/code?`) || !demande)
        throw new HttpError(`identifier and password: unexpected redirect to ${codePage}`);
      const [shown, mail] = await Promise.all([
        browser.go(codePage),
        this.deployment.mailbox.next(account.email),
      ]);
      expectStatus(shown, 200, 'code page');
      const code = /:\s*(\d{6})\b/.exec(mail.text)?.[1];
      if (!code) throw new HttpError('e-mail: no 6-digit code');
      const home = redirectOf(
        await browser.go(`${base}/connexion/email/code`, {
          method: 'POST',
          headers: sameOrigin,
          body: form({ csrf, demande, code }),
        }),
        `${base}/connexion/email/code`,
        'e-mail code',
      );
      if (home !== `${base}/`) throw new HttpError(`e-mail code: redirected to ${home} instead of home`);
    } catch (error) {
      this.deployment.mailbox.discard(account.email);
      throw error;
    } finally {
      this.#accounts.give(account);
      await connection.close();
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
  /**
   * Target relative to the raw argon2id rate measured in the same run (`--only password`):
   * operations per server CPU-second ≥ this fraction of argon2id verifications per CPU-second.
   */
  argon2Fraction?: number;
  /** Needs the espace médecin (started only then). */
  espaceMedecin?: boolean;
  /**
   * A userinfo stream runs against the provider during the open phase, and alone for as long
   * just before it: its latency says whether the servers' event loop kept serving.
   */
  userinfoStream?: boolean;
  /** The processes whose CPU is counted (default: every server of the deployment). */
  pids?(deployment: Deployment): number[];
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
    name: 'login-password',
    description:
      'espace médecin "authentification forte par e-mail": identifier + password (argon2id), then the e-mailed code',
    unit: 'login',
    argon2Fraction: 0.85,
    espaceMedecin: true,
    userinfoStream: true,
    sessions: true,
    pids: (deployment) => deployment.espaceMedecin!.pids,
    operation: (driver) => () => driver.passwordLogin(),
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
