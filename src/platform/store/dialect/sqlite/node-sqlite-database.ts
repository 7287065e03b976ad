import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { BoundedMap } from '../../../cache/index.ts';

/**
 * Presents Node's built-in `node:sqlite` as the database object Kysely's SqliteDialect drives.
 * Prepared statements are cached by SQL text: Kysely prepares on every query, and preparing is
 * the dominant cost of small queries on SQLite.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new BoundedMap<string, SqliteStatement>(500);

  constructor(file: string) {
    this.#db = new DatabaseSync(file, { timeout: 5000 });
    // WAL lets readers in other processes (CLI while the server runs) proceed during a write.
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#db.exec('PRAGMA foreign_keys = ON');
    this.#db.exec('PRAGMA temp_store = FILE');
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql);
    if (cached) return cached;
    const statement = wrap(this.#db.prepare(sql));
    this.#statements.set(sql, statement);
    return statement;
  }

  /**
   * A statement to run directly, without Kysely (bulk loads, see bulk-insert.ts). Not cached:
   * bulk loaders prepare theirs once.
   */
  prepareDirect(sql: string): StatementSync {
    return this.#db.prepare(sql);
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

type Parameter = null | number | bigint | string | NodeJS.ArrayBufferView;

function toParameters(parameters: ReadonlyArray<unknown>): Parameter[] {
  return parameters.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return value.toISOString();
    return value as Parameter;
  });
}

function wrap(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  return {
    reader,
    all: (parameters) => statement.all(...toParameters(parameters)),
    run: (parameters) => statement.run(...toParameters(parameters)),
    iterate: (parameters) => statement.iterate(...toParameters(parameters)) as IterableIterator<unknown>,
  };
}
