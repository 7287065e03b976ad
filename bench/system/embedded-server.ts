/**
 * The embedded deployment as `caducee start` runs it: the provider's origin and the card host in
 * one process on the SQLite file (two processes writing one SQLite file would wait on each
 * other's locks, which no embedded deployment does), and the espace médecin in the same process
 * (its own SQLite file) when the bench asks for it (`BENCH_ESPACE_MEDECIN=1`). Without
 * what `start` adds for demos: the demo directory and cards, the dev outbox, the lieux
 * d'exercice. Settings from `CADUCEE_*`.
 */
import { startEspaceMedecinServer } from '../../src/cli/rp-servers.ts';
import { startCardHostServer, startIdpServer } from '../../src/cli/servers.ts';
import { openSystem } from '../../src/cli/system.ts';
import { createLogger } from '../../src/platform/index.ts';

const system = await openSystem();
const log = createLogger(system.settings.logLevel);
const servers = [await startIdpServer(system, log), await startCardHostServer(system, log)];
if (process.env.BENCH_ESPACE_MEDECIN === '1') servers.push(await startEspaceMedecinServer(system, log));
const stop = async () => {
  await Promise.all(servers.map((server) => server.close()));
  await system.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
