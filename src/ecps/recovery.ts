import { randomBytes, randomUUID } from 'node:crypto';
import { asCaduceeError, limitedAddress } from '../platform/index.ts';
import {
  checkSendRate,
  codeHash,
  codeMatches,
  type EcpsContext,
  MAX_CODE_ATTEMPTS,
  newCode,
  sha256,
  takeCodeTry,
} from './context.ts';
import { EcpsRecoveryInvalid, EcpsWrongRecoveryCode } from './errors.ts';
import { maskMobile } from './mask.ts';

const LINK_TTL_MINUTES = 30;

/**
 * "Mot de passe oublié" without a card (DESIGN §3.5): an e-mail to the directory's
 * correspondence address with a single-use link, then a code by SMS to its mobile. Whoever
 * passes both may remove the e-CPS and activate it again. Nothing tells a stranger whether an
 * identifier exists or has an e-CPS.
 */
export function ecpsRecovery(ctx: EcpsContext) {
  const { db, audit, messaging } = ctx;
  const portalUrl = `${ctx.settings.idp.url.replace(/\/$/, '')}/ecps/portail`;

  return {
    async startRecovery(idnat: string, ip?: string): Promise<void> {
      const person = await ctx.directory.find(idnat.trim());
      const contact = person?.active ? person.contact : undefined;
      await checkSendRate(ctx, 'ecps_recovery', person?.nationalId ?? idnat.trim(), ip);
      const token = randomBytes(32).toString('base64url');
      const now = ctx.clock();
      const id = randomUUID();
      // Recorded even for an unknown identifier, so the per-address limit counts every try.
      await db
        .insertInto('ecps_recovery')
        .values({
          id,
          idnat: person?.nationalId ?? idnat.trim().slice(0, 20),
          token_hash: sha256(token),
          token_expires_at: new Date(now.getTime() + LINK_TTL_MINUTES * 60_000).toISOString(),
          token_used_at: null,
          code_hash: null,
          code_expires_at: null,
          code_attempts: 0,
          status: contact?.email && contact.mobile ? 'open' : 'failed',
          request_ip: ip ?? null,
          request_network: ip ? limitedAddress(ip) : null,
          created_at: now.toISOString(),
        })
        .execute();
      await audit.record({
        type: 'ecps.recovery.request',
        outcome: contact?.email && contact.mobile ? 'success' : 'failure',
        actor: person?.nationalId ?? null,
        ip,
        method: 'mail_sms',
      });
      if (!person || !contact?.email || !contact.mobile) return;
      const link = `${portalUrl}/oubli/verifier?jeton=${token}`;
      // Sent after the answer: waiting for SMTP for known identifiers only would tell, by the time
      // taken, which identifiers exist. A failure is logged and audited, and voids the link; the
      // requester is told the same as when it succeeds.
      messaging.mail
        .send({
          to: contact.email,
          subject: 'e-CPS : mot de passe oublié',
          text: `Bonjour,\n\nVous avez indiqué avoir oublié le mot de passe de votre e-CPS. Pour la supprimer et pouvoir l'activer de nouveau, ouvrez ce lien :\n\n${link}\n\nUn code de vérification vous sera ensuite envoyé par SMS. Ce lien est valable ${LINK_TTL_MINUTES} minutes et ne sert qu'une fois.\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre e-CPS reste active.`,
          html: `<p>Bonjour,</p><p>Vous avez indiqué avoir oublié le mot de passe de votre e-CPS. Pour la supprimer et pouvoir l'activer de nouveau :</p><p><a href="${link}">Vérifier mon identité</a></p><p>Un code de vérification vous sera ensuite envoyé par SMS. Ce lien est valable ${LINK_TTL_MINUTES} minutes et ne sert qu'une fois.</p><p>Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre e-CPS reste active.</p>`,
        })
        .catch(async (error: unknown) => {
          ctx.log.error({ err: error }, 'e-CPS: "mot de passe oublié" e-mail not sent');
          await db.updateTable('ecps_recovery').set({ status: 'failed' }).where('id', '=', id).execute();
          await audit.record({
            type: 'ecps.recovery.mail',
            outcome: 'failure',
            actor: person.nationalId,
            subject: id,
            ip,
            method: 'mail_sms',
            details: { code: asCaduceeError(error).error.code },
          });
        })
        .catch((error: unknown) =>
          ctx.log.error({ err: error }, 'e-CPS: "mot de passe oublié" e-mail failure not recorded'),
        );
    },

    /** The e-mailed link was opened and confirmed: the SMS code leaves. */
    async sendRecoveryCode(token: string, ip?: string) {
      const now = ctx.clock();
      const recovery = await db
        .selectFrom('ecps_recovery')
        .selectAll()
        .where('token_hash', '=', sha256(token))
        .executeTakeFirst();
      if (
        recovery?.status !== 'open' ||
        recovery.token_used_at ||
        recovery.token_expires_at < now.toISOString()
      )
        throw EcpsRecoveryInvalid({});
      const person = await ctx.directory.find(recovery.idnat);
      if (!person?.active || !person.contact.mobile) throw EcpsRecoveryInvalid({});
      const code = newCode();
      const used = await db
        .updateTable('ecps_recovery')
        .set({
          token_used_at: now.toISOString(),
          code_hash: codeHash(recovery.id, code),
          code_expires_at: new Date(
            now.getTime() + ctx.settings.ecps.activationCodeTtlMinutes * 60_000,
          ).toISOString(),
        })
        .where('id', '=', recovery.id)
        .where('token_used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw EcpsRecoveryInvalid({});
      await messaging.sms.send({
        to: person.contact.mobile,
        text: `Votre code de vérification e-CPS : ${code}. Il sert à supprimer votre e-CPS (mot de passe oublié). Ne le communiquez à personne.`,
      });
      await audit.record({
        type: 'ecps.recovery.sms',
        outcome: 'success',
        actor: recovery.idnat,
        subject: recovery.id,
        ip,
        method: 'mail_sms',
      });
      return { recoveryId: recovery.id, mobile: maskMobile(person.contact.mobile) };
    },

    /** The SMS code (3 tries, 10 minutes): returns the professional it proves. */
    async confirmRecoveryCode(recoveryId: string, code: string, ip?: string): Promise<{ idnat: string }> {
      const now = ctx.clock();
      const recovery = await db
        .selectFrom('ecps_recovery')
        .selectAll()
        .where('id', '=', recoveryId)
        .executeTakeFirst();
      if (
        recovery?.status !== 'open' ||
        !recovery.code_expires_at ||
        recovery.code_expires_at < now.toISOString()
      )
        throw EcpsRecoveryInvalid({});
      const attempts = await takeCodeTry(db, 'ecps_recovery', recovery.id);
      if (attempts === undefined) throw EcpsRecoveryInvalid({});
      if (!codeMatches(recovery.id, code, recovery.code_hash)) {
        if (attempts >= MAX_CODE_ATTEMPTS)
          await db
            .updateTable('ecps_recovery')
            .set({ status: 'failed' })
            .where('id', '=', recovery.id)
            .execute();
        await audit.record({
          type: 'ecps.recovery.code',
          outcome: 'failure',
          actor: recovery.idnat,
          subject: recovery.id,
          ip,
          method: 'mail_sms',
          details: { attempts },
        });
        throw EcpsWrongRecoveryCode({ remaining: MAX_CODE_ATTEMPTS - attempts });
      }
      const done = await db
        .updateTable('ecps_recovery')
        .set({ status: 'done' })
        .where('id', '=', recovery.id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) throw EcpsRecoveryInvalid({});
      await audit.record({
        type: 'ecps.recovery.code',
        outcome: 'success',
        actor: recovery.idnat,
        subject: recovery.id,
        ip,
        method: 'mail_sms',
      });
      return { idnat: recovery.idnat };
    },
  };
}
