/**
 * The espace médecin node of the PostgreSQL + Redis deployment: what `caducee serve
 * espace-medecin` runs, except that its own schema is the bench's (`BENCH_ESPACE_MEDECIN_SCHEMA`
 * in the database of `BENCH_ESPACE_MEDECIN_DATABASE_URL`) rather than the fixed
 * `espace_medecin`, which another deployment or test run of the same database may be using.
 */
import { startEspaceMedecinServer } from '../../src/cli/rp-servers.ts';
import { openSystem } from '../../src/cli/system.ts';
import { createLogger, openPostgresStore } from '../../src/platform/index.ts';

const system = await openSystem();
const log = createLogger(system.settings.logLevel);
const store = openPostgresStore(process.env.BENCH_ESPACE_MEDECIN_DATABASE_URL!, {
  schema: process.env.BENCH_ESPACE_MEDECIN_SCHEMA!,
});
const server = await startEspaceMedecinServer(system, log, undefined, { store });
const stop = async () => {
  await server.close();
  await store.close();
  await system.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
