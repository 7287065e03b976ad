import { sql } from 'kysely';
import { ImportTooManyInactivations } from '../errors.ts';
import { PERSON_KINDS } from '../extract/index.ts';
import type { DirectoryDb } from '../store/tables.ts';

// Active persons that no person file of the staged snapshot lists any more.
const goneCondition = sql<boolean>`active = 1 and not exists (
  select 1 from directory_import_line s
  where s.idnat = directory_person.idnat and s.kind in (${sql.join(PERSON_KINDS)})
)`;

/**
 * Refuses a snapshot that would inactivate more than `threshold` of the active persons: a
 * truncated download must not empty the directory. `force` lets a real drop through.
 */
export async function checkInactivationThreshold(
  trx: DirectoryDb,
  threshold: number,
  force: boolean,
): Promise<number> {
  const [gone, active] = await Promise.all([
    trx
      .selectFrom('directory_person')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(goneCondition)
      .executeTakeFirstOrThrow(),
    trx
      .selectFrom('directory_person')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('active', '=', 1)
      .executeTakeFirstOrThrow(),
  ]);
  const goneCount = Number(gone.n);
  const activeCount = Number(active.n);
  const share = activeCount === 0 ? 0 : goneCount / activeCount;
  if (share > threshold && !force) {
    throw ImportTooManyInactivations({ gone: goneCount, active: activeCount, share, threshold });
  }
  return goneCount;
}

/** Gone persons become inactive, never deleted: their identifiers must stay resolvable. */
export async function inactivateGone(trx: DirectoryDb, now: string): Promise<number> {
  const result = await trx
    .updateTable('directory_person')
    .set({ active: 0, inactivated_at: now, updated_at: now })
    .where(goneCondition)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
