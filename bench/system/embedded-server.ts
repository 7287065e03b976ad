/**
 * The embedded deployment as `caducee start` runs it: the provider's origin and the card host in
 * one process on the SQLite file (two processes writing one SQLite file would wait on each
 * other's locks, which no embedded deployment does). Without what `start` adds for demos: the
 * demo directory and cards, the dev outbox, the relying parties. Settings from `CADUCEE_*`.
 */
import { startCardHostServer, startIdpServer } from '../../src/cli/servers.ts';
import { openSystem } from '../../src/cli/system.ts';
import { createLogger } from '../../src/platform/index.ts';

const system = await openSystem();
const log = createLogger(system.settings.logLevel);
const servers = [await startIdpServer(system, log), await startCardHostServer(system, log)];
const stop = async () => {
  await Promise.all(servers.map((server) => server.close()));
  await system.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
