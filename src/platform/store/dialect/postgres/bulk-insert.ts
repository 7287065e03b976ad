import { CompiledQuery, type Kysely } from 'kysely';
import type { BulkInsert, BulkInsertOptions } from '../../bulk-insert.ts';

/** Rows per statement: the bound parameters stay far under PostgreSQL's limit (65 535). */
const ROWS_PER_STATEMENT = 100;

/**
 * PostgreSQL's bulk insert: multi-row INSERTs through `db` (the transaction), each text compiled
 * once and then run with new values, in full statements and the rest in one statement per power
 * of two, so that a handful of texts serve every batch.
 */
export function multiRowInsert(
  db: Kysely<any>,
  table: string,
  columns: readonly string[],
  options: BulkInsertOptions = {},
): BulkInsert {
  const size = ROWS_PER_STATEMENT;
  const texts = new Map<number, string>();
  const textFor = (count: number) => {
    let text = texts.get(count);
    if (!text) {
      const row = Object.fromEntries(columns.map((column) => [column, null]));
      let query = db.insertInto(table).values(Array.from({ length: count }, () => row));
      if (options.ignoreConflicts) query = query.onConflict((conflict) => conflict.doNothing());
      text = query.compile().sql;
      texts.set(count, text);
    }
    return text;
  };
  return {
    async insert(rows) {
      let inserted = 0;
      for (const [start, count] of pieces(rows.length, size)) {
        const parameters: unknown[] = [];
        for (let index = start; index < start + count; index++) parameters.push(...rows[index]!);
        const result = await db.executeQuery(CompiledQuery.raw(textFor(count), parameters));
        inserted += Number(result.numAffectedRows ?? 0);
      }
      return inserted;
    },
  };
}

/** [start, count] of full pieces of `size`, then of decreasing powers of two. */
function* pieces(total: number, size: number): Generator<[number, number]> {
  let start = 0;
  for (; total - start >= size; start += size) yield [start, size];
  for (let step = 2 ** Math.floor(Math.log2(size)); step >= 1; step /= 2) {
    if (total - start >= step) {
      yield [start, step];
      start += step;
    }
  }
}
