import type { Command } from 'commander';
import { loadSettings, redactedSettings } from '../../platform/config/index.ts';
import { action, emit, type OutputOptions } from '../output.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Configuration');
  config
    .command('print')
    .description('Affiche la configuration effective (secrets masqués) et la provenance de chaque valeur')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const rows = redactedSettings(loadSettings());
        emit(options, rows, () => {
          const width = Math.max(...rows.map((r) => r.variable.length));
          return rows
            .map((r) => `${r.variable.padEnd(width)}  ${JSON.stringify(r.value)}  (${r.origin})`)
            .join('\n');
        });
      }),
    );
}
