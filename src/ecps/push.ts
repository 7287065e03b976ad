import type { EcpsContext, PushSubscriptionJson } from './context.ts';
import { EcpsNotActivated } from './errors.ts';
import type { EcpsDeviceTable } from './store/tables.ts';

/**
 * Web Push for the e-CPS app: an open app polls for requests, a closed one is woken by a push
 * message. The payload says only that a request waits and for which service; the app fetches the
 * request itself with a signed call.
 */
export function ecpsPush(ctx: EcpsContext) {
  const { db } = ctx;
  const push = ctx.messaging.push;
  return {
    /** The VAPID public key the app subscribes with, or null when Web Push is off. */
    pushPublicKey(): string | null {
      return push?.publicKey ?? null;
    },

    async subscribePush(device: EcpsDeviceTable, subscription: PushSubscriptionJson) {
      if (device.status !== 'active') throw EcpsNotActivated({ idnat: device.idnat });
      await db
        .updateTable('ecps_device')
        .set({ push_subscription: JSON.stringify(subscription) })
        .where('id', '=', device.id)
        .execute();
      return { enabled: push !== undefined };
    },

    /** Never delays nor fails the login: a push that does not arrive leaves polling. */
    async notifyDevices(idnat: string, request: { id: string; service: string; expiresAt: string }) {
      if (!push) return;
      const devices = await db
        .selectFrom('ecps_device')
        .select(['id', 'push_subscription'])
        .where('idnat', '=', idnat)
        .where('status', '=', 'active')
        .where('push_subscription', 'is not', null)
        .execute();
      await Promise.all(
        devices.map(async (device) => {
          const outcome = await push.send(JSON.parse(device.push_subscription!) as PushSubscriptionJson, {
            type: 'demande',
            id: request.id,
            service: request.service,
            expiresAt: request.expiresAt,
          });
          if (outcome === 'gone')
            await db
              .updateTable('ecps_device')
              .set({ push_subscription: null })
              .where('id', '=', device.id)
              .execute();
        }),
      );
    },
  };
}
