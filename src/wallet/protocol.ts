/**
 * The e-CPS app's side of the protocol, shared by the CLI and the PWA: HTTP calls to `/ecps/api`,
 * each signed with the device key once the device has one. It imports nothing and uses only
 * `fetch`-like transport and WebCrypto, so the PWA loads this very file (types stripped) in the
 * browser. Where the private key lives is the `KeyVault`'s business: a JWK in the CLI's wallet
 * file, a non-extractable CryptoKey in IndexedDB for the PWA.
 */

// Type-only: erased when the PWA strips this file, so the browser sees no import.
import type { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type JsonWebKey = webcrypto.JsonWebKey;

export interface PublicDeviceJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** The device's P-256 key pair as the protocol needs it. */
export interface DeviceKey {
  publicJwk: PublicDeviceJwk;
  /** ECDSA P-256 / SHA-256 signature of `data`, raw r‖s (JWS ES256 form). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Keeps the device key: one per app installation. */
export interface KeyVault {
  /** Makes a new key pair, replacing any previous one. */
  create(): Promise<DeviceKey>;
  load(): Promise<DeviceKey | undefined>;
  remove(): Promise<void>;
}

export interface WalletState {
  server: string;
  deviceId?: string;
  idnat?: string;
  activationId?: string;
  /** How the activation under way goes on: a code by SMS, or a code shown here for the portal. */
  activationMode?: 'card' | 'mail_sms';
  /** The CLI's vault keeps the private JWK here; the PWA leaves it empty. */
  privateJwk?: JsonWebKey;
}

export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<any>;
}>;

export interface PendingRequest {
  id: string;
  service: string;
  bindingMessage: string | null;
  choices: string[];
  expiresAt: string;
}

export interface ActivationStart {
  activationId: string;
  deviceId: string;
  idnat: string;
  mode: 'card' | 'mail_sms';
  /** mail_sms: where the SMS code went (masked). */
  mobile?: string;
  /** card: the code to show, which the professional types on the portal. */
  code?: string;
}

export class WalletError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256(text: string): Promise<string> {
  return base64url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text))));
}

function randomId(): string {
  return base64url(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** The single-use token carried by an activation link or QR code, or undefined. */
export function activationToken(link: string): string | undefined {
  return /[#&?]activer=([\w-]{16,})/.exec(link.trim())?.[1];
}

/** A compact JWS (ES256) made with the device key. */
async function signJws(key: DeviceKey, header: object, payload: object): Promise<string> {
  const input = `${base64url(encoder.encode(JSON.stringify(header)))}.${base64url(encoder.encode(JSON.stringify(payload)))}`;
  return `${input}.${base64url(await key.sign(encoder.encode(input)))}`;
}

const P256_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Wraps a WebCrypto key pair (extractable or not) as a DeviceKey. */
export async function deviceKeyOf(privateKey: CryptoKey, publicKey: CryptoKey): Promise<DeviceKey> {
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', publicKey);
  return {
    publicJwk: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) },
    sign: async (data) =>
      new Uint8Array(
        await globalThis.crypto.subtle.sign(P256_SIGN, privateKey, data as webcrypto.BufferSource),
      ),
  };
}

/** Makes a P-256 pair; `extractable` only where the vault must write the private key out. */
export async function generateDeviceKeyPair(extractable: boolean): Promise<CryptoKeyPair> {
  return (await globalThis.crypto.subtle.generateKey(P256, extractable, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A vault that keeps the private key as a JWK in the wallet state (the CLI's wallet file). */
export function stateKeyVault(state: WalletState): KeyVault {
  const fromJwk = async (jwk: JsonWebKey) => {
    // The public half keeps only the key itself: key_ops of the private JWK ('sign') would clash.
    const publicPart = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
    const privateKey = await globalThis.crypto.subtle.importKey('jwk', jwk, P256, false, ['sign']);
    const publicKey = await globalThis.crypto.subtle.importKey('jwk', publicPart, P256, true, ['verify']);
    return deviceKeyOf(privateKey, publicKey);
  };
  return {
    async create() {
      const pair = await generateDeviceKeyPair(true);
      state.privateJwk = await globalThis.crypto.subtle.exportKey('jwk', pair.privateKey);
      return fromJwk(state.privateJwk);
    },
    async load() {
      return state.privateJwk ? fromJwk(state.privateJwk) : undefined;
    },
    async remove() {
      state.privateJwk = undefined;
    },
  };
}

export class WalletClient {
  readonly state: WalletState;
  readonly #fetch: Fetch;
  readonly #vault: KeyVault;

  constructor(state: WalletState, fetchImpl: Fetch, vault: KeyVault = stateKeyVault(state)) {
    this.state = state;
    this.#fetch = fetchImpl;
    this.#vault = vault;
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
      const key = this.state.deviceId ? await this.#vault.load() : undefined;
      if (!key || !this.state.deviceId)
        throw new WalletError(
          'WALLET_NOT_ACTIVATED',
          "Cette application n'a pas de e-CPS.",
          "Activez d'abord votre e-CPS.",
        );
      const now = Math.floor(Date.now() / 1000);
      const jws = await signJws(
        key,
        { alg: 'ES256', kid: this.state.deviceId },
        { htm: 'POST', htu: url, bh: await sha256(raw), iat: now, jti: randomId() },
      );
      headers.authorization = `ECPS ${jws}`;
    }
    let response: Awaited<ReturnType<Fetch>>;
    try {
      response = await this.#fetch(url, { method: 'POST', headers, body: raw });
    } catch (error) {
      throw new WalletError(
        'WALLET_OFFLINE',
        `Le service e-CPS ne répond pas (${this.state.server}).`,
        `Vérifiez la connexion du téléphone. ${(error as Error)?.message ?? ''}`.trim(),
      );
    }
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

  /**
   * Opens the link or QR content (from the e-mail, or the portal's screen): makes the device key
   * and registers it. Then either an SMS code follows (e-mail way) or the answer carries the code
   * to show for the portal (card way).
   */
  async startActivation(
    link: string,
    device: { name: string; model: string; os: string; appVersion: string },
  ): Promise<ActivationStart> {
    const token = activationToken(link);
    if (!token)
      throw new WalletError(
        'WALLET_BAD_LINK',
        "Ce lien n'est pas un lien d'activation e-CPS.",
        "Scannez le QR code de l'e-mail ou du portail e-CPS, ou collez le lien « Démarrer l'activation ».",
      );
    const key = await this.#vault.create();
    const answer = (await this.#call('/activation/demarrer', {
      token,
      publicJwk: key.publicJwk,
      device,
    })) as ActivationStart;
    this.state.deviceId = answer.deviceId;
    this.state.idnat = answer.idnat;
    this.state.activationId = answer.activationId;
    this.state.activationMode = answer.mode;
    return answer;
  }

  /** E-mail way: the code received by SMS. */
  confirmCode(code: string): Promise<{ ok: true }> {
    return this.#call('/activation/code', { activationId: this.state.activationId, code }, true);
  }

  /** Card way: whether the code shown here has been typed on the portal yet. */
  activationStatus(): Promise<{ status: 'open' | 'done' | 'failed'; codeConfirmed: boolean }> {
    return this.#call('/activation/etat', { activationId: this.state.activationId }, true);
  }

  /** Card way: waits until the portal took the code (or the activation failed). */
  async waitForPortalCode(options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const status = await this.activationStatus();
      if (status.codeConfirmed) return;
      if (status.status !== 'open')
        throw new WalletError(
          'ECPS_ACTIVATION_INVALID',
          "L'activation a échoué : trop d'erreurs de saisie du code, ou elle a été abandonnée.",
          "Recommencez l'activation depuis le portail e-CPS.",
        );
      if (Date.now() > deadline)
        throw new WalletError('WALLET_TIMEOUT', "Le code n'a pas été saisi sur le portail à temps.");
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
    }
  }

  async choosePin(pin: string): Promise<{ expiresAt: string }> {
    const answer = await this.#call(
      '/activation/mot-de-passe',
      { activationId: this.state.activationId, pin },
      true,
    );
    this.state.activationId = undefined;
    this.state.activationMode = undefined;
    return answer;
  }

  async pending(): Promise<PendingRequest[]> {
    return (await this.#call('/demandes', {}, true)).requests;
  }

  approve(requestId: string, answer: { code?: string; pin: string }) {
    return this.#call(`/demandes/${encodeURIComponent(requestId)}/approuver`, answer, true);
  }

  /** "Refuser"; `report` is "Ce n'était pas moi" (a suspected attack, recorded and e-mailed). */
  deny(requestId: string, options: { report?: boolean } = {}) {
    return this.#call(
      `/demandes/${encodeURIComponent(requestId)}/refuser`,
      options.report ? { signaler: true } : {},
      true,
    );
  }

  /** "Je teste ma e-CPS". */
  test(pin: string): Promise<{ message: string }> {
    return this.#call('/test', { pin }, true);
  }

  /** The server's VAPID public key for Web Push, or null when it sends none. */
  async pushPublicKey(): Promise<string | null> {
    return (await this.#call('/push/cle')).publicKey;
  }

  /** Gives the server this app's push subscription (PushSubscription.toJSON()). */
  subscribePush(subscription: {
    endpoint: string;
    keys: { p256dh: string; auth: string };
  }): Promise<{ enabled: boolean }> {
    return this.#call('/push/abonnement', { subscription }, true);
  }

  /** "Je me déconnecte de toutes les sessions": ends every provider session of this professional. */
  logoutEverywhere(): Promise<{ sessions: number }> {
    return this.#call('/sessions/deconnecter', {}, true);
  }

  status(): Promise<{
    deviceId: string;
    idnat: string;
    status: string;
    activatedAt: string | null;
    expiresAt: string | null;
    lastUsedAt: string | null;
    activationMode: string;
  }> {
    return this.#call('/appareil', {}, true);
  }

  /** Settings → désactiver (also "Supprimer ma e-CPS" once it has expired). */
  async deactivate() {
    const answer = await this.#call('/appareil/desactiver', {}, true);
    await this.forget();
    return answer;
  }

  /** Drops the key and state without telling the server (the device is already gone there). */
  async forget() {
    await this.#vault.remove();
    this.state.deviceId = undefined;
    this.state.idnat = undefined;
    this.state.activationId = undefined;
    this.state.activationMode = undefined;
  }

  /** Short fingerprint of the device's public key, for "which phone is this?" displays. */
  async fingerprint(): Promise<string | undefined> {
    const key = await this.#vault.load();
    if (!key) return undefined;
    const { crv, kty, x, y } = key.publicJwk;
    return (await sha256(JSON.stringify({ crv, kty, x, y }))).slice(0, 12);
  }
}
