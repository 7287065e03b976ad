import { ImportTooManyInactivations } from '../errors.ts';
import type { DirectoryDb } from '../store/tables.ts';
import { ImportScratch } from './scratch.ts';

/** Active persons before the import writes anything. */
export async function countActive(trx: DirectoryDb): Promise<number> {
  const { n } = await trx
    .selectFrom('directory_person')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('active', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Inactivates the active persons that no person file of the snapshot listed, never deleting
 * them: their identifiers must stay resolvable. `listedActive` is how many of the persons
 * active before the import it listed, so that the common case, nobody gone, costs no scan.
 * Refuses a snapshot that would inactivate more than `threshold` of the active persons: a
 * truncated download must not empty the directory. `force` lets a real drop through.
 */
export async function inactivateGone(
  trx: DirectoryDb,
  counts: { activeBefore: number; listedActive: number },
  options: { threshold: number; force: boolean; now: string },
): Promise<number> {
  const gone = counts.activeBefore - counts.listedActive;
  if (gone === 0) return 0;
  const share = gone / counts.activeBefore;
  if (share > options.threshold && !options.force) {
    throw ImportTooManyInactivations({
      gone,
      active: counts.activeBefore,
      share,
      threshold: options.threshold,
    });
  }
  const result = await trx
    .updateTable('directory_person')
    .set({ active: 0, inactivated_at: options.now, updated_at: options.now })
    .where('active', '=', 1)
    .where(ImportScratch.notListed)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
