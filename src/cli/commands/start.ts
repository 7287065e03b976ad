import type { Command } from 'commander';
import { loadDemoDirectoryIfEmpty } from '../../directory/index.ts';
import { BadRequest, createLogger, type RunningServer } from '../../platform/index.ts';
import { action } from '../output.ts';
import { startIdpServer } from '../servers.ts';
import { openSystem, type System } from '../system.ts';

const SERVICES = ['idp'] as const;

function stopOnSignal(system: System, servers: RunningServer[]) {
  const stop = async () => {
    await Promise.all(servers.map((server) => server.close()));
    await system.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function registerStartCommands(program: Command): void {
  program
    .command('start')
    .description(
      "Démarre tout le système sur cette machine, avec l'annuaire de démonstration si la base est vide",
    )
    .action(
      action(async () => {
        const system = await openSystem();
        const log = createLogger(system.settings.logLevel);
        const demo = await loadDemoDirectoryIfEmpty(system.directory);
        const idp = await startIdpServer(system, log);
        stopOnSignal(system, [idp]);
        const stats = await system.directory.stats();
        const lines = [
          '',
          'Caducée est démarré.',
          `  Données : ${system.settings.dataDir} (${system.store.kind === 'sqlite' ? 'base embarquée' : system.store.description})`,
          demo
            ? `  Annuaire de démonstration chargé : ${demo.persons.created} professionnels.`
            : `  Annuaire : ${stats.active} professionnels actifs.`,
          '',
          'Adresses :',
          `  API de l'annuaire   ${idp.url}/api/directory/persons?name=mar`,
          `  Description OpenAPI ${idp.url}/api/directory/openapi.json`,
          `  Santé / métriques   ${idp.url}/health/ready  ${idp.url}/metrics`,
          '',
          'Identités de démonstration : voir src/directory/demo/README.md, ou',
          '  npx caducee directory search --profession 10',
          '',
          'Ctrl+C pour arrêter.',
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );

  program
    .command('serve')
    .description('Démarre un seul service (déploiement sur plusieurs nœuds)')
    .argument('<service>', `service à démarrer : ${SERVICES.join(', ')}`)
    .action(
      action(async (service: string) => {
        if (!(SERVICES as readonly string[]).includes(service)) {
          throw BadRequest({ reason: `service « ${service} » inconnu (services : ${SERVICES.join(', ')})` });
        }
        const system = await openSystem();
        const log = createLogger(system.settings.logLevel);
        const idp = await startIdpServer(system, log);
        stopOnSignal(system, [idp]);
        log.info({ url: idp.url }, 'idp listening');
      }),
    );
}
