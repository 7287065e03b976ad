import { Command } from 'commander';
import { registerAuditCommands } from './commands/audit.ts';
import { registerCardCommands } from './commands/cards.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDirectoryCommands } from './commands/directory.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerOidcCommands } from './commands/oidc.ts';
import { registerStartCommands } from './commands/start.ts';
import { registerWalletCommands } from './commands/wallet.ts';

export function buildProgram(): Command {
  const program = new Command('caducee')
    .description(
      "Caducée : annuaire des professionnels de santé, cartes CPS, e-CPS et fournisseur d'identité compatible Pro Santé Connect",
    )
    .showHelpAfterError('(caducee --help pour l’aide)')
    .configureHelp({ sortSubcommands: true });
  registerStartCommands(program);
  registerMigrateCommand(program);
  registerConfigCommands(program);
  registerDirectoryCommands(program);
  registerCardCommands(program);
  registerOidcCommands(program);
  registerWalletCommands(program);
  registerAuditCommands(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
