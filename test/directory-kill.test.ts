import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { writeSyntheticExtract } from '../bench/extract-generator.ts';
import type { Store } from '../src/platform/index.ts';
import { runCli } from './support/cli.ts';
import { directorySnapshot } from './support/directory.ts';
import { ACTIVITE_HEADER, extractDir, REAL_ROWS, writeExtract } from './support/extracts.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';

const BIN = fileURLToPath(new URL('../bin/caducee.js', import.meta.url));
/**
 * Whether an import's transaction is open right now, seen from outside: on SQLite another
 * connection cannot take the write lock; on PostgreSQL another session holds a write lock on
 * this schema's person table (the import writes its first persons at once).
 */
function importRunning(
  store: Store,
  env: Record<string, string>,
): { running: () => Promise<boolean>; close: () => void } {
  if (store.kind === 'sqlite') {
    const probe = new DatabaseSync(path.join(env.CADUCEE_DATA_DIR!, 'caducee.sqlite'), { timeout: 0 });
    return {
      running: async () => {
        try {
          probe.exec('begin immediate');
          probe.exec('rollback');
          return false;
        } catch {
          return true;
        }
      },
      close: () => probe.close(),
    };
  }
  const running = async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from pg_locks l
      join pg_class c on c.oid = l.relation
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relname = 'directory_person'
        and l.mode = 'RowExclusiveLock' and l.pid <> pg_backend_pid()`.execute(store.db);
    return Number(rows[0]?.n) > 0;
  };
  return { running, close: () => {} };
}

/**
 * `kill -9` of `caducee directory import` in the middle of a large import (60 000 generated
 * lines): the directory imported before is exactly as it was, and the next import succeeds.
 */
for (const storeCase of storeCases()) {
  describe(`caducee directory import killed with SIGKILL (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    const dir = extractDir();
    let small: string;
    before(async () => {
      opened = await storeCase.open();
      small = writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt', [
        ACTIVITE_HEADER,
        REAL_ROWS.orthoptist,
        REAL_ROWS.doctor,
      ]);
      const imported = await runCli(['directory', 'import', small], opened.env);
      assert.equal(imported.code, 0, imported.stderr);
    });
    after(() => opened.dispose());

    it('leaves the previous directory intact, and the next import succeeds', {
      timeout: 120_000,
    }, async () => {
      const big = path.join(dir, 'PS_LibreAcces_Personne_activite_202611260800.txt');
      await writeSyntheticExtract(big, 60_000, 42);
      const before = await directorySnapshot(opened.store);

      const cleanEnv = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !name.startsWith('CADUCEE_')),
      );
      const child = spawn(process.execPath, [BIN, 'directory', 'import', big, '--force'], {
        env: { ...cleanEnv, ...opened.env },
        stdio: 'ignore',
      });
      const exited = once(child, 'exit');
      // Kill once the import's transaction has been seen open for a while (past the start, in
      // the middle of reading and staging), never after it ended.
      const { running, close } = importRunning(opened.store, opened.env);
      let seen = 0;
      const deadline = Date.now() + 60_000;
      while (seen < 6 && child.exitCode === null && Date.now() < deadline) {
        seen = (await running()) ? seen + 1 : 0;
        await sleep(50);
      }
      close();
      assert.equal(child.exitCode, null, 'the import was still running when killed');
      assert.ok(child.kill('SIGKILL'));
      const [code, signal] = await exited;
      assert.deepEqual([code, signal], [null, 'SIGKILL']);

      assert.equal(await directorySnapshot(opened.store), before, 'nothing of the killed import was kept');
      const next = await runCli(
        [
          'directory',
          'import',
          writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611270800.txt', [
            ACTIVITE_HEADER,
            REAL_ROWS.orthoptist,
            REAL_ROWS.doctor.replace('NOM5', 'APRES'),
          ]),
          '--json',
        ],
        opened.env,
      );
      assert.equal(next.code, 0, next.stderr);
      const summary = JSON.parse(next.stdout);
      assert.deepEqual([summary.persons.changed, summary.persons.unchanged], [1, 1]);
      const show = await runCli(['directory', 'show', '810001045367', '--json'], opened.env);
      assert.equal(JSON.parse(show.stdout).exercices[0].nomExercice, 'APRES');
    });
  });
}
