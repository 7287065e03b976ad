import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { atMostEvery } from '../platform/index.ts';
import { CardAssertionInvalid, CardAssertionReplayed, CardLoginExpired } from './errors.ts';
import type { CardsDb } from './store/tables.ts';
import type { CardIdentity } from './verify/context.ts';

/**
 * The card host hands a verified card back to the main origin as a short-lived JWS (ES256),
 * bound to the login request that asked for it (request id kept in the browser's cookie, and a
 * nonce kept server side), and usable once.
 */
export interface CardAssertionClaims {
  idnat: string;
  serial: string;
  amr: string[];
  authTime: number;
}

export class CardAssertions {
  readonly #db: CardsDb;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSeconds: number;
  readonly #clock: () => Date;
  /** Parsed keys by kid: importing a JWK costs more than the signature it serves. */
  readonly #privateKeys = new Map<string, Awaited<ReturnType<typeof importJWK>>>();
  readonly #publicKeys = new Map<string, Awaited<ReturnType<typeof importJWK>>>();
  /**
   * Used assertions past their expiry are deleted every 10 s: a delete after every login was a
   * second write per login. A marker kept a few seconds longer only refuses more.
   */
  readonly #purgeDue = atMostEvery(10_000);

  constructor(
    db: CardsDb,
    options: { issuer: string; audience: string; ttlSeconds: number; clock?: () => Date },
  ) {
    this.#db = db;
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#ttlSeconds = options.ttlSeconds;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Begins a card login on the main origin; `rid` may be imposed (the OpenID interaction's uid). */
  async begin(
    purpose: string,
    rid = randomBytes(16).toString('base64url'),
    ttlSeconds = 600,
  ): Promise<{ rid: string; nonce: string }> {
    const nonce = randomBytes(16).toString('base64url');
    const expiresAt = new Date(this.#clock().getTime() + ttlSeconds * 1000).toISOString();
    await this.#db
      .insertInto('card_login_request')
      .values({ rid, nonce, expires_at: expiresAt, purpose })
      .onConflict((oc) => oc.column('rid').doUpdateSet({ nonce, expires_at: expiresAt, purpose }))
      .execute();
    return { rid, nonce };
  }

  async #signingKey() {
    let row = await this.#db
      .selectFrom('card_host_key')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = randomUUID();
      row = {
        kid,
        private_jwk: JSON.stringify(await exportJWK(privateKey)),
        public_jwk: JSON.stringify(await exportJWK(publicKey)),
        created_at: this.#clock().toISOString(),
      };
      await this.#db
        .insertInto('card_host_key')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    let key = this.#privateKeys.get(row.kid);
    if (!key) {
      key = await importJWK(JSON.parse(row.private_jwk) as JWK, 'ES256');
      this.#privateKeys.set(row.kid, key);
    }
    return { kid: row.kid, key };
  }

  /** The card host's public key `kid`, imported once (keys are never changed, only added). */
  async #publicKey(kid: string) {
    let key = this.#publicKeys.get(kid);
    if (!key) {
      const row = await this.#db
        .selectFrom('card_host_key')
        .select('public_jwk')
        .where('kid', '=', kid)
        .executeTakeFirst();
      if (!row) throw new Error('unknown key');
      key = await importJWK(JSON.parse(row.public_jwk) as JWK, 'ES256');
      this.#publicKeys.set(kid, key);
    }
    return key;
  }

  /** Signed by the card host once the card passed every check. */
  async sign(identity: CardIdentity, rid: string, nonce: string): Promise<string> {
    const { kid, key } = await this.#signingKey();
    const now = Math.floor(this.#clock().getTime() / 1000);
    return new SignJWT({ rid, nonce, serial: identity.serial, amr: ['sc', 'pin'] })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'card-assertion+jwt' })
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setSubject(identity.idnat)
      .setIssuedAt(now)
      .setExpirationTime(now + this.#ttlSeconds)
      .setJti(randomUUID())
      .sign(key);
  }

  /**
   * On the main origin: checks signature, issuer, audience, expiry, that it answers the login
   * request of this browser (`rid` from its cookie) with that request's nonce, and that it was
   * never used. Consumes both the assertion and the request.
   */
  async redeem(token: string, rid: string | undefined): Promise<CardAssertionClaims & { purpose: string }> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.#publicKey(String(header.kid)), {
        issuer: this.#issuer,
        audience: this.#audience,
        algorithms: ['ES256'],
        typ: 'card-assertion+jwt',
        currentDate: this.#clock(),
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw CardAssertionInvalid(
        { reason: code === 'ERR_JWT_EXPIRED' ? 'délai dépassé' : 'signature ou contenu invalide' },
        error,
      );
    }
    const jti = String(payload.jti);
    const used = await this.#db
      .selectFrom('card_assertion_use')
      .select('jti')
      .where('jti', '=', jti)
      .executeTakeFirst();
    if (used) throw CardAssertionReplayed({});
    const request = rid
      ? await this.#db.selectFrom('card_login_request').selectAll().where('rid', '=', rid).executeTakeFirst()
      : undefined;
    if (!request || request.expires_at < this.#clock().toISOString()) throw CardLoginExpired({});
    if (payload.rid !== rid || payload.nonce !== request.nonce) {
      throw CardAssertionInvalid({ reason: 'elle répond à une autre demande de connexion' });
    }
    // The insert is the single-use guarantee under concurrency; the read above only names the error.
    const inserted = await this.#db
      .insertInto('card_assertion_use')
      .values({ jti, expires_at: new Date(Number(payload.exp) * 1000).toISOString() })
      .onConflict((oc) => oc.column('jti').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw CardAssertionReplayed({});
    await this.#db.deleteFrom('card_login_request').where('rid', '=', request.rid).execute();
    const now = this.#clock();
    if (this.#purgeDue(now))
      await this.#db.deleteFrom('card_assertion_use').where('expires_at', '<', now.toISOString()).execute();
    return {
      idnat: String(payload.sub),
      serial: String(payload.serial),
      amr: payload.amr as string[],
      authTime: Number(payload.iat),
      purpose: request.purpose,
    };
  }
}
