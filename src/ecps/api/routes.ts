import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BadRequest, clientAddressOf, RequestTooLarge, type TrustedProxies } from '../../platform/index.ts';
import { authenticateDevice } from '../device-auth.ts';
import type { Ecps } from '../ecps.ts';
import type { EcpsDb } from '../store/tables.ts';

/** The app's calls carry a few identifiers and a public key: 16 KiB is far above any of them. */
/** The app's calls are small JSON documents; its server must be given this limit (see createApp). */
export const ECPS_API_MAX_BODY_BYTES = 16_384;
const MAX_BODY_BYTES = ECPS_API_MAX_BODY_BYTES;

async function jsonBody(c: Context): Promise<{ raw: string; body: Record<string, unknown> }> {
  const raw = await c.req.text();
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw RequestTooLarge({ maxBytes: MAX_BODY_BYTES });
  try {
    const body = raw ? (JSON.parse(raw) as unknown) : {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return { raw, body: body as Record<string, unknown> };
  } catch {
    throw BadRequest({ reason: 'JSON attendu' });
  }
}

const text = (value: unknown, name: string, max = 200): string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw BadRequest({ reason: `champ « ${name} » attendu` });
  return value;
};

/**
 * The JSON API of the e-CPS app (`/ecps/api`), used by the PWA and the CLI alike. Calls made
 * once the device has a key are signed with it (see device-auth.ts).
 */
/**
 * `publicBase` is the origin the app calls (the issuer); the signed URL is that origin with the
 * request's full path.
 */
export function ecpsApiRoutes(options: {
  ecps: Ecps;
  db: EcpsDb;
  publicBase: string;
  /** Proxies whose X-Forwarded-For names the phone's address (`http.trustedProxies`). */
  trustedProxies: TrustedProxies;
  clock?: () => Date;
}): Hono {
  const { ecps, db } = options;
  const remote = (c: Context) => clientAddressOf(c, options.trustedProxies);
  const clock = options.clock ?? (() => new Date());
  const app = new Hono();
  // Refused from Content-Length, or while streaming a chunked body, before it is held whole.
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw RequestTooLarge({ maxBytes: MAX_BODY_BYTES });
      },
    }),
  );
  const device = async (c: Context, raw: string) =>
    authenticateDevice(
      db,
      {
        authorization: c.req.header('authorization'),
        method: c.req.method,
        url: `${options.publicBase}${c.req.path}`,
        body: raw,
      },
      clock(),
    );

  app.post('/activation/demande', async (c) => {
    const { body } = await jsonBody(c);
    return c.json(await ecps.describeActivation(text(body.idnat, 'idnat', 20), remote(c)));
  });
  app.post('/activation/envoi', async (c) => {
    const { body } = await jsonBody(c);
    return c.json(await ecps.sendActivationEmail(text(body.idnat, 'idnat', 20), remote(c)), 202);
  });
  app.post('/activation/demarrer', async (c) => {
    const { body } = await jsonBody(c);
    const info = (body.device ?? {}) as Record<string, unknown>;
    const jwk = body.publicJwk as Record<string, unknown> | undefined;
    if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk)
      throw BadRequest({ reason: 'clé publique P-256 attendue' });
    const publicJwk = { kty: 'EC', crv: 'P-256', x: text(jwk.x, 'x'), y: text(jwk.y, 'y') };
    return c.json(
      await ecps.startActivation(text(body.token, 'token'), publicJwk, {
        name: String(info.name ?? 'Téléphone'),
        model: String(info.model ?? ''),
        os: String(info.os ?? ''),
        appVersion: String(info.appVersion ?? ''),
      }),
    );
  });
  app.post('/activation/code', async (c) => {
    const { raw, body } = await jsonBody(c);
    const signed = await device(c, raw);
    await ecps.confirmActivationCode(
      signed,
      text(body.activationId, 'activationId'),
      text(body.code, 'code', 10),
    );
    return c.json({ ok: true });
  });
  app.post('/activation/etat', async (c) => {
    const { raw, body } = await jsonBody(c);
    const signed = await device(c, raw);
    return c.json(await ecps.activationStatus(signed, text(body.activationId, 'activationId')));
  });
  app.post('/activation/mot-de-passe', async (c) => {
    const { raw, body } = await jsonBody(c);
    const signed = await device(c, raw);
    return c.json(
      await ecps.choosePin(signed, text(body.activationId, 'activationId'), text(body.pin, 'pin', 4)),
    );
  });
  app.post('/demandes', async (c) => {
    // POST, not GET: the signature covers a body, and proxies must not cache the answer.
    const { raw } = await jsonBody(c);
    return c.json({ requests: await ecps.pendingFor(await device(c, raw)) });
  });
  app.post('/demandes/:id/approuver', async (c) => {
    const { raw, body } = await jsonBody(c);
    const signed = await device(c, raw);
    await ecps.approve(
      signed,
      c.req.param('id'),
      { code: typeof body.code === 'string' ? body.code : undefined, pin: text(body.pin, 'pin', 4) },
      remote(c),
    );
    return c.json({ status: 'approved' });
  });
  app.post('/demandes/:id/refuser', async (c) => {
    const { raw, body } = await jsonBody(c);
    const report = body.signaler === true;
    await ecps.deny(await device(c, raw), c.req.param('id'), { report, ip: remote(c) });
    return c.json({ status: 'denied', reported: report });
  });
  app.post('/test', async (c) => {
    const { raw, body } = await jsonBody(c);
    return c.json(await ecps.testLogin(await device(c, raw), text(body.pin, 'pin', 4), remote(c)));
  });
  app.post('/push/cle', (c) => c.json({ publicKey: ecps.pushPublicKey() }));
  app.post('/push/abonnement', async (c) => {
    const { raw, body } = await jsonBody(c);
    const signed = await device(c, raw);
    const subscription = (body.subscription ?? {}) as Record<string, unknown>;
    const keys = (subscription.keys ?? {}) as Record<string, unknown>;
    const endpoint = text(subscription.endpoint, 'subscription.endpoint', 2000);
    if (!/^https:\/\//.test(endpoint)) throw BadRequest({ reason: 'adresse de notification https attendue' });
    return c.json(
      await ecps.subscribePush(signed, {
        endpoint,
        keys: { p256dh: text(keys.p256dh, 'keys.p256dh'), auth: text(keys.auth, 'keys.auth') },
      }),
    );
  });
  app.post('/sessions/deconnecter', async (c) => {
    const { raw } = await jsonBody(c);
    return c.json(await ecps.logoutEverywhere(await device(c, raw), remote(c)));
  });
  app.post('/appareil', async (c) => {
    const { raw } = await jsonBody(c);
    return c.json(await ecps.deviceStatus(await device(c, raw)));
  });
  app.post('/appareil/desactiver', async (c) => {
    const { raw } = await jsonBody(c);
    await ecps.deactivate(await device(c, raw));
    return c.json({ status: 'revoked' });
  });
  return app;
}
