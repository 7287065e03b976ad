import type { MailSender } from '../../messaging/index.ts';
import type { Account } from './accounts.ts';
import { ResetLinkInvalid } from './errors.ts';
import { randomToken, sha256 } from './secrets.ts';
import type { EspaceMedecinDb } from './store/tables.ts';
import { addMinutes, type Clock } from './time.ts';

export const RESET_MINUTES = 30;

/**
 * "Mot de passe oublié ?": a single-use link sent to the account's e-mail, valid 30 minutes.
 * The link carries a random token; the store keeps its hash only.
 */
export class PasswordResets {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;
  readonly #mail: MailSender;
  readonly #base: string;

  constructor(db: EspaceMedecinDb, options: { clock: Clock; mail: MailSender; base: string }) {
    this.#db = db;
    this.#clock = options.clock;
    this.#mail = options.mail;
    this.#base = options.base;
  }

  /** Sends the link; the links sent before stop working. */
  async send(account: Account): Promise<void> {
    const token = randomToken();
    const now = this.#clock();
    await this.#db
      .deleteFrom('password_reset')
      .where((eb) => eb.or([eb('account_id', '=', account.id), eb('expires_at', '<', now.toISOString())]))
      .execute();
    await this.#db
      .insertInto('password_reset')
      .values({
        token_hash: sha256(token),
        account_id: account.id,
        created_at: now.toISOString(),
        expires_at: addMinutes(now, RESET_MINUTES).toISOString(),
        used_at: null,
      })
      .execute();
    const link = `${this.#base}/mot-de-passe/nouveau?jeton=${token}`;
    await this.#mail.send({
      to: account.email,
      subject: 'Réinitialisation de votre mot de passe — Espace médecin',
      text: [
        `Bonjour ${account.given_name} ${account.family_name},`,
        '',
        "Pour choisir un nouveau mot de passe de l'espace médecin, ouvrez ce lien :",
        link,
        '',
        `Il est valable ${RESET_MINUTES} minutes et ne sert qu'une fois.`,
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.",
      ].join('\n'),
    });
  }

  /** The account the link is for, if the link is still good. */
  async check(token: string): Promise<string> {
    const row = await this.#db
      .selectFrom('password_reset')
      .selectAll()
      .where('token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.used_at || row.expires_at <= this.#clock().toISOString()) throw ResetLinkInvalid({});
    return row.account_id;
  }

  /** Marks the link used; of two submissions racing, one wins. */
  async consume(token: string): Promise<string> {
    const accountId = await this.check(token);
    const result = await this.#db
      .updateTable('password_reset')
      .set({ used_at: this.#clock().toISOString() })
      .where('token_hash', '=', sha256(token))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw ResetLinkInvalid({});
    return accountId;
  }
}
