import { randomUUID } from 'node:crypto';
import type { Delegations } from './delegations.ts';
import { PatientFileNotFound } from './errors.ts';
import type { EspaceMedecinDb, PatientActivityTable, PatientFileTable } from './store/tables.ts';
import type { Clock } from './time.ts';

export type PatientFile = PatientFileTable;
export type PatientActivity = PatientActivityTable;
export type PatientStatus = PatientFileTable['status'];

export const STATUS_LABELS: Record<PatientStatus, string> = {
  en_cours: 'En cours',
  admis: 'Admis',
  clos: 'Clos',
};

export const isStatus = (value: string): value is PatientStatus => Object.hasOwn(STATUS_LABELS, value);

/**
 * Patient files ("dossiers patients"): the minimum that makes delegation real. A professional
 * works on their own files and, during an active delegation, on their delegator's; every action
 * is written to the file's activity with who acted and for whom.
 */
export class PatientFiles {
  readonly #db: EspaceMedecinDb;
  readonly #clock: Clock;
  readonly #delegations: Delegations;

  constructor(db: EspaceMedecinDb, options: { clock: Clock; delegations: Delegations }) {
    this.#db = db;
    this.#clock = options.clock;
    this.#delegations = options.delegations;
  }

  /** Whose files this account may work on today: its own, then its active delegators'. */
  async owners(accountId: string): Promise<string[]> {
    const delegations = await this.#delegations.activeDelegatorsFor(accountId);
    return [accountId, ...new Set(delegations.map((d) => d.delegator_id))];
  }

  async list(accountId: string): Promise<PatientFile[]> {
    return this.#db
      .selectFrom('patient_file')
      .selectAll()
      .where('owner_id', 'in', await this.owners(accountId))
      .orderBy('family_name')
      .orderBy('given_name')
      .execute();
  }

  async create(input: {
    actorId: string;
    ownerId: string;
    familyName: string;
    givenName: string;
    birthDate: string;
  }): Promise<PatientFile> {
    if (!(await this.owners(input.actorId)).includes(input.ownerId)) throw PatientFileNotFound({});
    const now = this.#clock().toISOString();
    const file: PatientFile = {
      id: randomUUID(),
      owner_id: input.ownerId,
      family_name: input.familyName,
      given_name: input.givenName,
      birth_date: input.birthDate,
      status: 'en_cours',
      created_at: now,
      updated_at: now,
    };
    await this.#db.transaction().execute(async (tx) => {
      await tx.insertInto('patient_file').values(file).execute();
      await tx
        .insertInto('patient_activity')
        .values(this.#activity(file, input.actorId, 'creation', 'Dossier créé (en cours)'))
        .execute();
    });
    return file;
  }

  /**
   * The file, if this account may see it today. A replacement's look at it is recorded: the
   * owner sees who consulted their patients in their absence.
   */
  async open(fileId: string, actorId: string): Promise<PatientFile> {
    const file = await this.#accessible(fileId, actorId);
    if (file.owner_id !== actorId) {
      await this.#db
        .insertInto('patient_activity')
        .values(this.#activity(file, actorId, 'consultation', 'Dossier consulté'))
        .execute();
    }
    return file;
  }

  async setStatus(fileId: string, actorId: string, status: PatientStatus): Promise<PatientFile> {
    const file = await this.#accessible(fileId, actorId);
    if (file.status === status) return file;
    const now = this.#clock().toISOString();
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .updateTable('patient_file')
        .set({ status, updated_at: now })
        .where('id', '=', file.id)
        .execute();
      await tx
        .insertInto('patient_activity')
        .values(
          this.#activity(
            file,
            actorId,
            'statut',
            `Statut : ${STATUS_LABELS[file.status]} → ${STATUS_LABELS[status]}`,
          ),
        )
        .execute();
    });
    return { ...file, status, updated_at: now };
  }

  activity(fileId: string): Promise<PatientActivity[]> {
    return this.#db
      .selectFrom('patient_activity')
      .selectAll()
      .where('file_id', '=', fileId)
      .orderBy('at', 'desc')
      .orderBy('id')
      .execute();
  }

  async #accessible(fileId: string, actorId: string): Promise<PatientFile> {
    const file = await this.#db
      .selectFrom('patient_file')
      .selectAll()
      .where('id', '=', fileId)
      .executeTakeFirst();
    // The same answer whether the file does not exist or is someone else's.
    if (!file || !(await this.owners(actorId)).includes(file.owner_id)) throw PatientFileNotFound({});
    return file;
  }

  #activity(
    file: PatientFile,
    actorId: string,
    action: PatientActivity['action'],
    detail: string,
  ): PatientActivity {
    return {
      id: randomUUID(),
      file_id: file.id,
      at: this.#clock().toISOString(),
      actor_id: actorId,
      on_behalf_of_id: file.owner_id,
      action,
      detail,
    };
  }
}
