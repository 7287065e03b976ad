import type { EcpsContext } from './context.ts';

/**
 * An e-CPS has an end of validity; a reminder goes to the correspondence e-mail some days before
 * it (once per activation), so the professional renews it before a login fails.
 */
export function expiryReminders(ctx: EcpsContext) {
  const { db, audit, messaging } = ctx;
  return {
    async sendExpiryReminders(): Promise<{ sent: number }> {
      const now = ctx.clock();
      const horizon = new Date(now.getTime() + ctx.settings.ecps.reminderDaysBefore * 86_400_000);
      const due = await db
        .selectFrom('ecps_device')
        .selectAll()
        .where('status', '=', 'active')
        .where('reminder_sent_at', 'is', null)
        .where('expires_at', '>', now.toISOString())
        .where('expires_at', '<=', horizon.toISOString())
        .execute();
      let sent = 0;
      for (const device of due) {
        // Claimed first: with several nodes running this loop, one e-mail only.
        const claimed = await db
          .updateTable('ecps_device')
          .set({ reminder_sent_at: now.toISOString() })
          .where('id', '=', device.id)
          .where('reminder_sent_at', 'is', null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) continue;
        const person = await ctx.directory.find(device.idnat);
        if (!person?.contact.email) continue;
        const end = new Date(device.expires_at!).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
        await messaging.mail.send({
          to: person.contact.email,
          subject: `Votre e-CPS expire le ${end}`,
          text: `Bonjour,\n\nVotre e-CPS sur l'appareil « ${device.name} » expire le ${end}. Après cette date, vous ne pourrez plus vous connecter avec elle : supprimez-la dans l'application (« Supprimer ma e-CPS ») et activez-la de nouveau, avec votre carte CPS sur le portail e-CPS ou depuis l'application.\n\nCordialement,\nLe service e-CPS`,
        });
        await audit.record({
          type: 'ecps.expiry_reminder',
          outcome: 'success',
          actor: device.idnat,
          subject: device.id,
          method: 'mail',
        });
        sent += 1;
      }
      return { sent };
    },
  };
}
