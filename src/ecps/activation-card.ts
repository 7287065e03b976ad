import { checkActivationCode, createActivation } from './activation-code.ts';
import { activePerson, type EcpsContext } from './context.ts';
import { EcpsActivationInvalid } from './errors.ts';
import type { EcpsActivationTable } from './store/tables.ts';

/** Where a card activation stands, as the portal's page shows it. */
export interface CardActivationStatus {
  activationId: string;
  /** waiting-scan (QR shown), waiting-code (app registered, code to type), waiting-pin, active, failed, expired. */
  step: 'waiting-scan' | 'waiting-code' | 'waiting-pin' | 'active' | 'failed' | 'expired';
  qrExpiresAt: string;
}

/**
 * Activation with a CPS card (DESIGN §3.2), the portal's half: after the card login, a QR code
 * carrying a single-use token valid 90 s (renewable), then the code the app shows, typed on the
 * portal (3 tries). The app's half (scan, key, PIN) is the same as the e-mail way's.
 */
export function cardActivation(ctx: EcpsContext) {
  const { db, audit } = ctx;
  const ttl = ctx.settings.ecps.portalQrTtlSeconds;

  /** An activation of this professional, made by the portal. */
  async function ownActivation(idnat: string, activationId: string): Promise<EcpsActivationTable> {
    const activation = await db
      .selectFrom('ecps_activation')
      .selectAll()
      .where('id', '=', activationId)
      .executeTakeFirst();
    if (!activation || activation.idnat !== idnat || activation.mode !== 'card')
      throw EcpsActivationInvalid({});
    return activation;
  }

  return {
    /**
     * "Commencer l'activation" (and "Renouveler le QR code"): a fresh token; the previous QR codes
     * of this professional that no app has scanned stop working.
     */
    async startCardActivation(idnat: string, ip?: string) {
      const person = await activePerson(ctx, idnat);
      await db
        .updateTable('ecps_activation')
        .set({ status: 'failed' })
        .where('idnat', '=', person.nationalId)
        .where('mode', '=', 'card')
        .where('status', '=', 'open')
        .where('token_used_at', 'is', null)
        .execute();
      const { id, link, expiresAt } = await createActivation(ctx, {
        idnat: person.nationalId,
        mode: 'card',
        ttlMs: ttl * 1000,
        ip,
      });
      await audit.record({
        type: 'ecps.activation.request',
        outcome: 'success',
        actor: person.nationalId,
        ip,
        method: 'card',
      });
      return { activationId: id, link, expiresAt };
    },

    async cardActivationStatus(idnat: string, activationId: string): Promise<CardActivationStatus> {
      const activation = await ownActivation(idnat, activationId);
      const now = ctx.clock().toISOString();
      const base = { activationId, qrExpiresAt: activation.token_expires_at };
      if (activation.status === 'done') return { ...base, step: 'active' };
      if (activation.status === 'failed') return { ...base, step: 'failed' };
      if (!activation.token_used_at)
        return { ...base, step: activation.token_expires_at < now ? 'expired' : 'waiting-scan' };
      if (!activation.code_confirmed_at)
        return {
          ...base,
          step: activation.code_expires_at && activation.code_expires_at < now ? 'expired' : 'waiting-code',
        };
      return { ...base, step: 'waiting-pin' };
    },

    /** The code shown by the app, typed on the portal: 3 tries, then the activation is void. */
    async confirmCardCode(idnat: string, activationId: string, code: string, ip?: string) {
      const activation = await ownActivation(idnat, activationId);
      await checkActivationCode(ctx, activation, code, { actor: idnat, ip });
    },
  };
}
