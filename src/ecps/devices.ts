import type { EcpsContext } from './context.ts';
import { EcpsDeviceNotFound } from './errors.ts';

/** A device as the portal lists it (never its key or PIN). */
export interface DeviceSummary {
  id: string;
  name: string;
  model: string;
  os: string;
  status: 'pending' | 'active' | 'blocked' | 'revoked' | 'expired';
  activationMode: 'card' | 'mail_sms';
  activatedAt: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** One answered login request: when, which service, how it ended. */
export interface EcpsUse {
  at: string;
  service: string;
  status: string;
  device: string | null;
}

/**
 * The professional's devices and uses, as the portal shows and manages them. `endSessions` ends
 * the provider sessions of the professional: a device removed (lost phone, forgotten password)
 * must not leave logins made with it running.
 */
export function ecpsDevices(ctx: EcpsContext, endSessions: (idnat: string) => Promise<number>) {
  const { db, audit } = ctx;
  return {
    async devicesOf(idnat: string): Promise<DeviceSummary[]> {
      const now = ctx.clock().toISOString();
      const rows = await db
        .selectFrom('ecps_device')
        .selectAll()
        .where('idnat', '=', idnat)
        .where('status', '!=', 'revoked')
        .orderBy('created_at', 'desc')
        .execute();
      return rows
        .filter(
          (row) =>
            row.status !== 'pending' || row.created_at > new Date(Date.parse(now) - 86_400_000).toISOString(),
        )
        .map((row) => ({
          id: row.id,
          name: row.name,
          model: row.model,
          os: row.os,
          status: row.status === 'active' && row.expires_at && row.expires_at < now ? 'expired' : row.status,
          activationMode: row.activation_mode,
          activatedAt: row.activated_at,
          expiresAt: row.expires_at,
          lastUsedAt: row.last_used_at,
        }));
    },

    /** Recent answered requests (beyond the field guides: lets a professional spot a stranger's use). */
    async recentUses(idnat: string, limit = 20): Promise<EcpsUse[]> {
      const rows = await db
        .selectFrom('ecps_auth_request')
        .leftJoin('ecps_device', 'ecps_device.id', 'ecps_auth_request.device_id')
        .select([
          'ecps_auth_request.created_at as at',
          'ecps_auth_request.client_name as service',
          'ecps_auth_request.status as status',
          'ecps_device.name as device',
        ])
        .where('ecps_auth_request.idnat', '=', idnat)
        .where('ecps_auth_request.status', '!=', 'pending')
        .orderBy('ecps_auth_request.created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ ...row, device: row.device ?? null }));
    },

    /** Removes one device of this professional (portal, after a card or e-mail + SMS check). */
    async removeDevice(idnat: string, deviceId: string, by: { method: string; ip?: string }) {
      const updated = await db
        .updateTable('ecps_device')
        .set({ status: 'revoked', revoked_at: ctx.clock().toISOString() })
        .where('id', '=', deviceId)
        .where('idnat', '=', idnat)
        .where('status', '!=', 'revoked')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw EcpsDeviceNotFound({});
      const sessions = await endSessions(idnat);
      await audit.record({
        type: 'ecps.deactivate',
        outcome: 'success',
        actor: idnat,
        subject: deviceId,
        ip: by.ip,
        method: by.method,
        details: { sessions },
      });
    },

    /** "Mot de passe oublié": every e-CPS of the professional goes, so it can be activated again. */
    async removeAllDevices(idnat: string, by: { method: string; ip?: string }) {
      const now = ctx.clock().toISOString();
      const updated = await db
        .updateTable('ecps_device')
        .set({ status: 'revoked', revoked_at: now })
        .where('idnat', '=', idnat)
        .where('status', '!=', 'revoked')
        .executeTakeFirst();
      // Activations under way would otherwise still end in an active device.
      await db
        .updateTable('ecps_activation')
        .set({ status: 'failed' })
        .where('idnat', '=', idnat)
        .where('status', '=', 'open')
        .execute();
      const removed = Number(updated.numUpdatedRows);
      const sessions = removed > 0 ? await endSessions(idnat) : 0;
      await audit.record({
        type: 'ecps.reset',
        outcome: 'success',
        actor: idnat,
        ip: by.ip,
        method: by.method,
        details: { removed, sessions },
      });
      return { removed, sessions };
    },
  };
}
