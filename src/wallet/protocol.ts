import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/**
 * The e-CPS app's side of the protocol, shared by the CLI (and the PWA): HTTP calls to
 * `/ecps/api`, each signed with the device key once the device has one. Uses only `fetch` and
 * WebCrypto (through jose), which both run in Node and in browsers.
 */
export interface WalletState {
  server: string;
  deviceId?: string;
  idnat?: string;
  /** The device's private key (the PWA keeps a non-extractable key in IndexedDB instead). */
  privateJwk?: JWK;
  activationId?: string;
}

export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<any>;
}>;

export class WalletError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomId(): string {
  return [...globalThis.crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

export class WalletClient {
  readonly state: WalletState;
  readonly #fetch: Fetch;

  constructor(state: WalletState, fetchImpl: Fetch) {
    this.state = state;
    this.#fetch = fetchImpl;
  }

  #url(path: string): string {
    return `${this.state.server.replace(/\/$/, '')}/ecps/api${path}`;
  }

  async #call(path: string, body: Record<string, unknown> = {}, signed = false): Promise<any> {
    const url = this.#url(path);
    const raw = JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (signed) {
      if (!this.state.privateJwk || !this.state.deviceId)
        throw new WalletError('WALLET_NOT_ACTIVATED', "Cette application n'a pas de e-CPS.");
      const key = await importJWK(this.state.privateJwk, 'ES256');
      const jws = await new SignJWT({ htm: 'POST', htu: url, bh: await sha256(raw) })
        .setProtectedHeader({ alg: 'ES256', kid: this.state.deviceId })
        .setIssuedAt()
        .setJti(randomId())
        .sign(key);
      headers.authorization = `ECPS ${jws}`;
    }
    const response = await this.#fetch(url, { method: 'POST', headers, body: raw });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = answer?.error ?? {};
      throw new WalletError(
        String(error.code ?? `HTTP_${response.status}`),
        String(error.message ?? `Erreur ${response.status}`),
        error.hint,
      );
    }
    return answer;
  }

  /** "Demander l'activation de la e-CPS": where the e-mail and SMS would go (masked). */
  describeActivation(idnat: string): Promise<{ idnat: string; email: string; mobile: string }> {
    return this.#call('/activation/demande', { idnat });
  }

  /** "Envoyer ma demande d'activation": the e-mail with the QR code and the link. */
  sendActivationEmail(idnat: string): Promise<{ email: string }> {
    return this.#call('/activation/envoi', { idnat });
  }

  /** Opens the link (or QR content): makes the device key and registers it; an SMS code follows. */
  async startActivation(
    link: string,
    device: { name: string; model: string; os: string; appVersion: string },
  ) {
    const token = /[#&?]activer=([\w-]+)/.exec(link)?.[1];
    if (!token) throw new WalletError('WALLET_BAD_LINK', "Ce lien n'est pas un lien d'activation e-CPS.");
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const answer = await this.#call('/activation/demarrer', {
      token,
      publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y },
      device,
    });
    this.state.privateJwk = await exportJWK(privateKey);
    this.state.deviceId = answer.deviceId;
    this.state.activationId = answer.activationId;
    return answer as { activationId: string; deviceId: string; mobile: string };
  }

  confirmCode(code: string): Promise<{ ok: true }> {
    return this.#call('/activation/code', { activationId: this.state.activationId, code }, true);
  }

  async choosePin(pin: string): Promise<{ expiresAt: string }> {
    const answer = await this.#call(
      '/activation/mot-de-passe',
      { activationId: this.state.activationId, pin },
      true,
    );
    this.state.activationId = undefined;
    return answer;
  }

  async pending(): Promise<
    Array<{
      id: string;
      service: string;
      bindingMessage: string | null;
      choices: string[];
      expiresAt: string;
    }>
  > {
    return (await this.#call('/demandes', {}, true)).requests;
  }

  approve(requestId: string, answer: { code?: string; pin: string }) {
    return this.#call(`/demandes/${encodeURIComponent(requestId)}/approuver`, answer, true);
  }

  deny(requestId: string) {
    return this.#call(`/demandes/${encodeURIComponent(requestId)}/refuser`, {}, true);
  }

  /** "Je teste ma e-CPS". */
  test(pin: string): Promise<{ message: string }> {
    return this.#call('/test', { pin }, true);
  }

  status() {
    return this.#call('/appareil', {}, true);
  }

  async deactivate() {
    const answer = await this.#call('/appareil/desactiver', {}, true);
    this.state.privateJwk = undefined;
    this.state.deviceId = undefined;
    return answer;
  }

  /** Short fingerprint of the device key, for "which phone is this?" displays. */
  async fingerprint(): Promise<string | undefined> {
    if (!this.state.privateJwk) return undefined;
    const { d: _d, ...publicPart } = this.state.privateJwk;
    return (await calculateJwkThumbprint(publicPart)).slice(0, 12);
  }
}
