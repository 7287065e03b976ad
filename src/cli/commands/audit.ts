import type { Command } from 'commander';
import {
  auditAnchorError,
  auditChainError,
  formatAnchor,
  parseAnchor,
  readAnchorsFile,
} from '../../platform/audit/index.ts';
import { BadRequest } from '../../platform/errors/index.ts';
import { action, emit, type OutputOptions } from '../output.ts';
import { openSystem } from '../system.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description("Journal d'audit : connexions, activations, oppositions, actions d'administration");
  audit
    .command('verify')
    .description(
      "Vérifie la chaîne d'empreintes du journal : aucun événement modifié, supprimé ou déplacé, et chaque ancre notée hors de la base toujours valable (code de sortie 1 sinon)",
    )
    .option(
      '--anchor <n°:empreinte>',
      'ancre notée lors d’une vérification précédente : l’événement à ce numéro doit avoir encore cette empreinte (répétable)',
      collect,
    )
    .option(
      '--anchors-file <fichier>',
      `ancres d’un fichier, une par ligne (celui que le fournisseur tient : <données>/audit/anchors.txt)`,
    )
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions & { anchor?: string[]; anchorsFile?: string }) => {
        // Read before opening anything: a mistyped anchor is the operator's error, said first.
        const anchors = [
          ...(options.anchor ?? []).map((text) => parseAnchor(text)),
          ...(options.anchorsFile ? readAnchorsFile(options.anchorsFile) : []),
        ];
        const system = await openSystem();
        try {
          const result = await system.audit.verify();
          if (!result.ok) throw auditChainError(result);
          const anchored = await system.audit.checkAnchors(anchors);
          if (!anchored.ok) throw auditAnchorError(anchored);
          // Noted outside the database (a ticket, a daily note), it lets a later check prove that
          // nothing up to this event was rewritten, even with the chain recomputed.
          const anchor =
            result.events > 0 ? formatAnchor({ seq: result.events, hash: result.lastHash }) : null;
          emit(options, { ...result, anchor, anchorsChecked: anchored.checked }, () =>
            [
              `Journal d'audit intègre : ${result.events} événement${result.events > 1 ? 's' : ''}`,
              `Dernière empreinte : ${result.lastHash}`,
              anchors.length > 0 ? `Ancres vérifiées : ${anchored.checked}, toutes valables` : '',
              anchor ? `Ancre à conserver hors de la base : ${anchor}` : '',
            ]
              .filter(Boolean)
              .join('\n'),
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
