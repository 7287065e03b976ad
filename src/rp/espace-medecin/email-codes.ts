import { randomUUID } from 'node:crypto';
import type { MailSender } from '../../messaging/index.ts';
import { atMostEvery } from '../../platform/index.ts';
import type { Account } from './accounts.ts';
import { CodeExpired, CodeInvalid, CodeUsed, WrongCode } from './errors.ts';
import { mac, randomDigits, sameText } from './secrets.ts';
import type { EmailCodeTable, EspaceMedecinDb } from './store/tables.ts';
import { addMinutes, type Clock } from './time.ts';

export const CODE_MINUTES = 10;
export const CODE_TRIES = 3;

/**
 * The 6-digit codes of the "authentification forte par e-mail" (and of the proof that a second
 * account is one's own): sent to the account's e-mail, valid 10 minutes, single use, 3 tries,
 * usable only in the browser session that asked for it. Only an HMAC of the code is stored.
 */
export class EmailCodes {
  readonly #db: EspaceMedecinDb;
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #mail: MailSender;
  readonly #purgeDue = atMostEvery(60_000);

  constructor(db: EspaceMedecinDb, options: { key: Buffer; clock: Clock; mail: MailSender }) {
    this.#db = db;
    this.#key = options.key;
    this.#clock = options.clock;
    this.#mail = options.mail;
  }

  /** Sends a new code; the codes sent before for the same purpose stop working. */
  async send(input: {
    account: Account;
    purpose: EmailCodeTable['purpose'];
    requesterId?: string;
    sessionHash: string;
  }): Promise<string> {
    const id = randomUUID();
    const code = randomDigits(6);
    const now = this.#clock();
    await this.#db
      .updateTable('email_code')
      .set({ tries_left: 0 })
      .where('account_id', '=', input.account.id)
      .where('purpose', '=', input.purpose)
      .where('used_at', 'is', null)
      .execute();
    await this.#db
      .insertInto('email_code')
      .values({
        id,
        account_id: input.account.id,
        purpose: input.purpose,
        requester_id: input.requesterId ?? null,
        session_hash: input.sessionHash,
        code_mac: mac(this.#key, id, code),
        tries_left: CODE_TRIES,
        created_at: now.toISOString(),
        expires_at: addMinutes(now, CODE_MINUTES).toISOString(),
        used_at: null,
      })
      .execute();
    // Codes a day past their expiry, once a minute: redeeming checks the expiry itself.
    if (this.#purgeDue(now))
      await this.#db
        .deleteFrom('email_code')
        .where('expires_at', '<', addMinutes(now, -24 * 60).toISOString())
        .execute();
    const why =
      input.purpose === 'login'
        ? "pour vous connecter à l'espace médecin"
        : "pour lier ce compte à un autre compte de l'espace médecin";
    await this.#mail.send({
      to: input.account.email,
      subject: 'Votre code de vérification — Espace médecin',
      text: [
        `Bonjour ${input.account.given_name} ${input.account.family_name},`,
        '',
        `Voici votre code de vérification ${why} : ${code}`,
        '',
        `Il est valable ${CODE_MINUTES} minutes et ne sert qu'une fois.`,
        "Si vous n'êtes pas à l'origine de cette demande, ne communiquez ce code à personne et changez votre mot de passe.",
      ].join('\n'),
    });
    return id;
  }

  /** The code's record once the right code is given; otherwise the error says why. */
  async redeem(input: {
    id: string;
    code: string;
    purpose: EmailCodeTable['purpose'];
    sessionHash: string;
  }): Promise<EmailCodeTable> {
    const row = await this.#db
      .selectFrom('email_code')
      .selectAll()
      .where('id', '=', input.id)
      .executeTakeFirst();
    if (!row || row.purpose !== input.purpose) throw CodeInvalid({});
    if (row.used_at) throw CodeUsed({});
    if (row.session_hash !== input.sessionHash || row.tries_left <= 0) throw CodeInvalid({});
    const now = this.#clock().toISOString();
    if (row.expires_at <= now) throw CodeExpired({});
    // The try is taken before the code is compared, atomically: guesses sent at once get no more
    // than the code's three tries compared between them.
    const taken = await this.#db
      .updateTable('email_code')
      .set((eb) => ({ tries_left: eb('tries_left', '-', 1) }))
      .where('id', '=', row.id)
      .where('tries_left', '>', 0)
      .returning('tries_left')
      .executeTakeFirst();
    if (!taken) throw CodeInvalid({});
    if (!sameText(mac(this.#key, row.id, input.code.trim()), row.code_mac)) {
      const left = Number(taken.tries_left);
      if (left <= 0) throw CodeInvalid({});
      throw WrongCode({ triesLeft: left });
    }
    // Conditional on still unused: of two submissions racing, one wins.
    const used = await this.#db
      .updateTable('email_code')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw CodeUsed({});
    return { ...row, used_at: now };
  }
}
