import { randomBytes, randomUUID } from 'node:crypto';
import { limitedAddress } from '../platform/index.ts';
import { codeMatches, type EcpsContext, MAX_CODE_ATTEMPTS, sha256, takeCodeTry } from './context.ts';
import { EcpsActivationInvalid, EcpsWrongActivationCode } from './errors.ts';
import type { EcpsActivationTable } from './store/tables.ts';

/**
 * The activation code, whichever way it travels (by SMS to the phone, or shown by the phone and
 * typed on the portal): in time, 3 tries, then the activation and its pending device are void.
 * Every try is audited.
 */
export async function checkActivationCode(
  ctx: EcpsContext,
  activation: EcpsActivationTable,
  code: string,
  who: { actor: string; ip?: string },
): Promise<void> {
  const { db, audit } = ctx;
  const now = ctx.clock();
  if (
    activation.status !== 'open' ||
    !activation.token_used_at ||
    activation.code_confirmed_at ||
    !activation.code_expires_at ||
    activation.code_expires_at < now.toISOString()
  )
    throw EcpsActivationInvalid({});
  const record = (outcome: 'success' | 'failure', attempts?: number) =>
    audit.record({
      type: 'ecps.activation.code',
      outcome,
      actor: who.actor,
      subject: activation.id,
      ip: who.ip,
      method: activation.mode,
      details: attempts === undefined ? undefined : { attempts },
    });
  const attempts = await takeCodeTry(db, 'ecps_activation', activation.id);
  if (attempts === undefined) throw EcpsActivationInvalid({});
  if (!codeMatches(activation.id, code, activation.code_hash)) {
    const failed = attempts >= MAX_CODE_ATTEMPTS;
    if (failed)
      await db
        .updateTable('ecps_activation')
        .set({ status: 'failed' })
        .where('id', '=', activation.id)
        .execute();
    if (failed && activation.device_id)
      await db
        .updateTable('ecps_device')
        .set({ status: 'revoked', revoked_at: now.toISOString() })
        .where('id', '=', activation.device_id)
        .where('status', '=', 'pending')
        .execute();
    await record('failure', attempts);
    throw EcpsWrongActivationCode({ remaining: MAX_CODE_ATTEMPTS - attempts });
  }
  await db
    .updateTable('ecps_activation')
    .set({ code_confirmed_at: now.toISOString() })
    .where('id', '=', activation.id)
    .execute();
  await record('success');
}

/**
 * Opens an activation: a single-use token for the link or QR code (only its hash is kept), valid
 * `ttlMs`. Returns the token, to put in the link, and the link itself.
 */
export async function createActivation(
  ctx: EcpsContext,
  input: { idnat: string; mode: EcpsActivationTable['mode']; ttlMs: number; ip?: string },
): Promise<{ id: string; token: string; link: string; expiresAt: string }> {
  const now = ctx.clock();
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + input.ttlMs).toISOString();
  await ctx.db
    .insertInto('ecps_activation')
    .values({
      id,
      idnat: input.idnat,
      mode: input.mode,
      token_hash: sha256(token),
      token_expires_at: expiresAt,
      token_used_at: null,
      device_id: null,
      code_hash: null,
      code_expires_at: null,
      code_attempts: 0,
      code_confirmed_at: null,
      status: 'open',
      created_at: now.toISOString(),
      request_ip: input.ip ?? null,
      request_network: input.ip ? limitedAddress(input.ip) : null,
    })
    .execute();
  return { id, token, link: `${ctx.appUrl}#activer=${token}`, expiresAt };
}
