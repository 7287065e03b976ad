import { randomUUID } from 'node:crypto';
import type { ProfessionalIdentity } from './identity.ts';
import type { AccountTable, EspaceMedecinDb } from './store/tables.ts';
import type { Clock } from './time.ts';

export type Account = AccountTable;

/** What the professional types on the creation form and edits in "Mon compte". */
export interface PersonalInformation {
  email: string;
  phone: string;
  address: string;
  postcode: string;
  city: string;
}

export class Accounts {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;

  constructor(db: EspaceMedecinDb, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  byIdnat(idnat: string): Promise<Account | undefined> {
    return this.#db.selectFrom('account').selectAll().where('idnat', '=', idnat).executeTakeFirst();
  }

  byId(id: string): Promise<Account | undefined> {
    return this.#db.selectFrom('account').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byIds(ids: string[]): Promise<Map<string, Account>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.selectFrom('account').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Called once the charter is accepted: nothing of the account exists before. */
  async create(input: {
    identity: ProfessionalIdentity;
    information: PersonalInformation;
    passwordHash: string;
    createdBy: string;
  }): Promise<Account> {
    const now = this.#clock().toISOString();
    const { identity, information } = input;
    const account: Account = {
      id: randomUUID(),
      idnat: identity.idnat,
      family_name: identity.familyName,
      given_name: identity.givenName,
      profession_code: identity.professionCode,
      profession_label: identity.professionLabel,
      specialty_code: identity.specialtyCode,
      specialty_label: identity.specialtyLabel,
      ...information,
      password_hash: input.passwordHash,
      created_by: input.createdBy,
      charter_accepted_at: now,
      created_at: now,
      updated_at: now,
    };
    await this.#db.insertInto('account').values(account).execute();
    return account;
  }

  /** Names and profession follow the provider: they are refreshed at each provider login. */
  async refreshIdentity(id: string, identity: ProfessionalIdentity): Promise<void> {
    await this.#db
      .updateTable('account')
      .set({
        family_name: identity.familyName,
        given_name: identity.givenName,
        profession_code: identity.professionCode,
        profession_label: identity.professionLabel,
        specialty_code: identity.specialtyCode,
        specialty_label: identity.specialtyLabel,
        updated_at: this.#clock().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async updateInformation(id: string, information: PersonalInformation): Promise<void> {
    await this.#db
      .updateTable('account')
      .set({ ...information, updated_at: this.#clock().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.#db
      .updateTable('account')
      .set({ password_hash: passwordHash, updated_at: this.#clock().toISOString() })
      .where('id', '=', id)
      .execute();
  }
}

/** How the pages name a professional (first name, family name). */
export const displayName = (account: Pick<Account, 'given_name' | 'family_name'>) =>
  `${account.given_name} ${account.family_name}`.trim();
