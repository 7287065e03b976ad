import type { Command } from 'commander';
import { auditChainError } from '../../platform/audit/index.ts';
import { BadRequest } from '../../platform/errors/index.ts';
import { action, emit, type OutputOptions } from '../output.ts';
import { openSystem } from '../system.ts';

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description("Journal d'audit : connexions, activations, oppositions, actions d'administration");
  audit
    .command('verify')
    .description(
      "Vérifie la chaîne d'empreintes du journal : aucun événement modifié, supprimé ou déplacé (code de sortie 1 sinon)",
    )
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const system = await openSystem();
        try {
          const result = await system.audit.verify();
          if (!result.ok) throw auditChainError(result);
          emit(options, result, () =>
            [
              `Journal d'audit intègre : ${result.events} événement${result.events > 1 ? 's' : ''}`,
              // Noted elsewhere, it lets a later check prove that nothing before it was rewritten.
              `Dernière empreinte : ${result.lastHash}`,
            ].join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
  audit
    .command('list')
    .description('Liste les derniers événements, du plus récent au plus ancien')
    .option('--type <type>', "type d'événement (card.login, ecps.approve, oidc.logout_all…)")
    .option('--limit <n>', "nombre d'événements (défaut 100, au plus 10000)", '100')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions & { type?: string; limit: string }) => {
        if (!/^\d+$/.test(options.limit)) throw BadRequest({ reason: '--limit attend un nombre entier' });
        const system = await openSystem();
        try {
          const events = await system.audit.list({ type: options.type, limit: Number(options.limit) });
          emit(options, events, () =>
            events.length === 0
              ? 'Aucun événement.'
              : events
                  .map((event) =>
                    [
                      event.at,
                      event.type,
                      event.outcome === 'success' ? 'succès' : 'échec',
                      event.actor ? `par ${event.actor}` : '',
                      event.subject ? `sur ${event.subject}` : '',
                      event.method ? `(${event.method})` : '',
                      event.ip ? `depuis ${event.ip}` : '',
                      Object.keys(event.details ?? {}).length > 0 ? JSON.stringify(event.details) : '',
                    ]
                      .filter((part) => part !== '')
                      .join('  '),
                  )
                  .join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
}
