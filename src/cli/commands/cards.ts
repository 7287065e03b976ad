import type { Command } from 'commander';
import { ensureHierarchy } from '../../pki/index.ts';
import { action, emit, type OutputOptions, table } from '../output.ts';
import { hostnamesOf, openSystem } from '../system.ts';

export function registerCardCommands(program: Command): void {
  const pki = program.command('pki').description('Infrastructure de clés de test (modèle IGC-Santé)');
  pki
    .command('init')
    .description(
      'Crée ce qui manque : autorité racine, autorité « PERSONNES » (cartes), autorité « SERVEURS » et certificat TLS des hôtes locaux',
    )
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const system = await openSystem();
        try {
          const { hierarchy, created } = await ensureHierarchy(
            system.settings.dataDir,
            system.settings.cardHost.url.replace(/\/$/, ''),
          );
          await system.tls();
          await (await system.cards()).crl('persons');
          const result = {
            dir: hierarchy.dir,
            created,
            root: hierarchy.root.certificate.subject,
            persons: hierarchy.persons.certificate.subject,
            servers: hierarchy.servers.certificate.subject,
            tlsHosts: hostnamesOf(system.settings),
            rootCertificate: `${hierarchy.dir}/root-ca.pem`,
          };
          emit(options, result, () =>
            [
              created.length ? `Créé : ${created.join(' ; ')}` : 'Infrastructure déjà en place.',
              table([
                ['Dossier', result.dir],
                ['Racine', result.root],
                ['Cartes', result.persons],
                ['Serveurs', result.servers],
                ['Certificat racine à approuver', result.rootCertificate],
              ]),
            ].join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );

  const card = program
    .command('card')
    .description('Cartes CPS virtuelles (certificat d’authentification + code porteur)');
  card
    .command('issue')
    .description(
      "Émet une carte pour un professionnel actif de l'annuaire : fichier PKCS#12 protégé par le code porteur",
    )
    .argument('<idnat>', 'identifiant national du porteur')
    .option('--pin <code>', 'code porteur à 4 chiffres (tiré au hasard sinon)')
    .option('--out <fichier>', 'fichier .p12 à écrire (défaut : <données>/cards/<idnat>.p12)')
    .option('--valid-days <n>', 'durée de validité en jours (défaut : réglage cards.validityDays)')
    .option('--json', 'sortie JSON')
    .action(
      action(
        async (
          idnat: string,
          options: OutputOptions & { pin?: string; out?: string; validDays?: string },
        ) => {
          const system = await openSystem();
          try {
            const cards = await system.cards();
            const issued = await cards.issue(idnat, {
              pin: options.pin,
              out: options.out,
              validDays: options.validDays === undefined ? undefined : Number(options.validDays),
            });
            const { certificatePem: _pem, ...shown } = issued;
            emit(options, shown, () =>
              table([
                ['Carte émise', issued.serial],
                ['Porteur', `${issued.idnat} — ${issued.subject}`],
                ['Valable', `du ${issued.notBefore} au ${issued.notAfter}`],
                ['Fichier', issued.file],
                ['Code porteur', issued.pin],
              ]),
            );
          } finally {
            await system.close();
          }
        },
      ),
    );
  card
    .command('revoke')
    .description(
      "Met en opposition une carte (numéro de série) ou toutes les cartes actives d'un porteur (identifiant national)",
    )
    .argument('<reference>', 'numéro de série ou identifiant national')
    .option('--json', 'sortie JSON')
    .action(
      action(async (reference: string, options: OutputOptions) => {
        const system = await openSystem();
        try {
          const revoked = await (await system.cards()).revoke(reference);
          emit(options, revoked, () =>
            [
              `Opposition enregistrée, liste de révocation republiée :`,
              ...revoked.map((c) => `  ${c.serial}  ${c.idnat}`),
            ].join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
  card
    .command('list')
    .description('Liste les cartes émises (toutes, ou celles d’un porteur)')
    .argument('[idnat]', 'identifiant national du porteur')
    .option('--json', 'sortie JSON')
    .action(
      action(async (idnat: string | undefined, options: OutputOptions) => {
        const system = await openSystem();
        try {
          const cards = await (await system.cards()).list(idnat);
          emit(options, cards, () =>
            cards.length === 0
              ? 'Aucune carte.'
              : cards
                  .map(
                    (c) =>
                      `${c.serial}  ${c.idnat}  ${c.status === 'active' ? 'active' : `opposée le ${c.revoked_at}`}  expire le ${c.not_after}`,
                  )
                  .join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
}
