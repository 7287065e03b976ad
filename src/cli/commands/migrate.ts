import type { Command } from 'commander';
import { loadSettings } from '../../platform/config/index.ts';
import { migrate, openStore } from '../../platform/store/index.ts';
import { action, emit, type OutputOptions } from '../output.ts';
import { allMigrations } from '../system.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Applique les migrations du schéma de la base (faites aussi au démarrage)')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const { settings } = loadSettings();
        const store = openStore(settings);
        try {
          const outcome = await migrate(store, ...allMigrations(store));
          emit(options, { store: store.description, ...outcome }, () =>
            outcome.applied.length === 0
              ? `Base à jour (${store.description}).`
              : `Migrations appliquées sur ${store.description} :\n${outcome.applied.map((name) => `  ${name}`).join('\n')}`,
          );
        } finally {
          await store.close();
        }
      }),
    );
}
