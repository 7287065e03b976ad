import { randomUUID } from 'node:crypto';
import { DelegationInvalid } from './errors.ts';
import type { DelegationTable, EspaceMedecinDb } from './store/tables.ts';
import { type Clock, isDay, parisDay } from './time.ts';

export type Delegation = DelegationTable;

export type DelegationState = 'à venir' | 'en cours' | 'terminée' | 'révoquée';

/** The longest delegation: a replacement is for a period, not for ever. */
const MAX_DAYS = 366;

/**
 * Temporary delegation of rights: between two days (Europe/Paris, inclusive) the replacement
 * sees and works on the delegator's patient files. The delegator may end it early.
 */
export class Delegations {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;

  constructor(db: EspaceMedecinDb, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  today(): string {
    return parisDay(this.#clock());
  }

  state(delegation: Delegation): DelegationState {
    if (delegation.revoked_at) return 'révoquée';
    const today = this.today();
    if (today < delegation.starts_on) return 'à venir';
    if (today > delegation.ends_on) return 'terminée';
    return 'en cours';
  }

  async create(input: {
    delegatorId: string;
    delegateId: string;
    startsOn: string;
    endsOn: string;
  }): Promise<Delegation> {
    if (input.delegateId === input.delegatorId)
      throw DelegationInvalid({ reason: 'vous ne pouvez pas vous choisir comme remplaçant' });
    if (!isDay(input.startsOn) || !isDay(input.endsOn))
      throw DelegationInvalid({ reason: 'les dates de début et de fin sont obligatoires (jj/mm/aaaa)' });
    if (input.startsOn < this.today())
      throw DelegationInvalid({ reason: 'la date de début ne peut pas être passée' });
    if (input.endsOn < input.startsOn)
      throw DelegationInvalid({ reason: 'la date de fin précède la date de début' });
    const days = (Date.parse(input.endsOn) - Date.parse(input.startsOn)) / 86_400_000 + 1;
    if (days > MAX_DAYS) throw DelegationInvalid({ reason: `une délégation dure au plus ${MAX_DAYS} jours` });
    const delegation: Delegation = {
      id: randomUUID(),
      delegator_id: input.delegatorId,
      delegate_id: input.delegateId,
      starts_on: input.startsOn,
      ends_on: input.endsOn,
      created_at: this.#clock().toISOString(),
      revoked_at: null,
    };
    await this.#db.insertInto('delegation').values(delegation).execute();
    return delegation;
  }

  /** Delegations given (by the account) and received (by the account), newest first. */
  async of(accountId: string): Promise<{ given: Delegation[]; received: Delegation[] }> {
    const rows = await this.#db
      .selectFrom('delegation')
      .selectAll()
      .where((eb) => eb.or([eb('delegator_id', '=', accountId), eb('delegate_id', '=', accountId)]))
      .orderBy('created_at', 'desc')
      .execute();
    return {
      given: rows.filter((row) => row.delegator_id === accountId),
      received: rows.filter((row) => row.delegate_id === accountId),
    };
  }

  /** The accounts whose patient files this account may work on today, as their replacement. */
  async activeDelegatorsFor(accountId: string): Promise<Delegation[]> {
    const today = this.today();
    return this.#db
      .selectFrom('delegation')
      .selectAll()
      .where('delegate_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .where('starts_on', '<=', today)
      .where('ends_on', '>=', today)
      .execute();
  }

  /** Ends a delegation now; only its delegator may. False when there was nothing to end. */
  async revoke(id: string, delegatorId: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('delegation')
      .set({ revoked_at: this.#clock().toISOString() })
      .where('id', '=', id)
      .where('delegator_id', '=', delegatorId)
      .where('revoked_at', 'is', null)
      .where('ends_on', '>=', this.today())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
