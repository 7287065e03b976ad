/**
 * The raw argon2id rate of `@node-rs/argon2` with the parameters the espace médecin uses for its
 * account passwords (algorithm argon2id, the library's defaults: 19 MiB, 2 passes, 1 lane): what
 * its password logins are to be compared with. Measured in this process: the hashing runs on the
 * library's own threads, whose CPU time `process.cpuUsage()` includes.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { hash, verify } from '@node-rs/argon2';
import { PASSWORD_HASH_OPTIONS } from '../src/rp/espace-medecin/index.ts';

export interface PasswordBenchResult {
  parameters: string;
  concurrency: number;
  seconds: number;
  verifications: number;
  perSecond: number;
  perCpuSecond: number;
  meanMs: number;
}

export async function benchPassword(seconds: number): Promise<PasswordBenchResult> {
  const stored = await hash('Mot-de-passe-du-bench-1', PASSWORD_HASH_OPTIONS);
  for (let i = 0; i < 4; i++) await verify(stored, 'Mot-de-passe-du-bench-1');
  // As many verifications at once as cores: more only queue.
  const concurrency = availableParallelism();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  let verifications = 0;
  let busyMs = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        if (!(await verify(stored, 'Mot-de-passe-du-bench-1'))) throw new Error('argon2 verify failed');
        busyMs += performance.now() - t;
        verifications++;
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    parameters: 'argon2id, m=19456 KiB, t=2, p=1 (library defaults)',
    concurrency,
    seconds: Math.round(wall * 100) / 100,
    verifications,
    perSecond: Math.round((verifications / wall) * 10) / 10,
    perCpuSecond: Math.round((verifications / cpuSeconds) * 10) / 10,
    meanMs: Math.round((busyMs / verifications) * 100) / 100,
  };
}

export function passwordTable(result: PasswordBenchResult): Array<[string, string]> {
  return [
    ['parameters', result.parameters],
    [
      'raw verify rate',
      `${result.perSecond}/s with ${result.concurrency} at once (${result.meanMs} ms each), ${result.perCpuSecond} per CPU-second`,
    ],
  ];
}
