import type { Command } from 'commander';
import type { ImportSummary, Person, PersonSummary } from '../../directory/index.ts';
import { action, emit, type OutputOptions, table } from '../output.ts';
import { ProgressBar } from '../progress.ts';
import { openSystem } from '../system.ts';

export function importReport(summary: ImportSummary): string {
  const p = summary.persons;
  const lines = [
    `Import ${summary.importId} appliqué.`,
    ...summary.files.map((file) => `  ${file.name} : ${file.lines.toLocaleString('fr-FR')} lignes`),
    table([
      ['Lignes lues', summary.linesRead.toLocaleString('fr-FR')],
      ['Personnes dans l’extraction', p.listed.toLocaleString('fr-FR')],
      ['  nouvelles', String(p.created)],
      ['  modifiées', String(p.changed)],
      ['  réactivées', String(p.reactivated)],
      ['  inchangées', String(p.unchanged)],
      ['Personnes rendues inactives', String(p.inactivated)],
      ['Avertissements', String(summary.warningCount)],
    ]),
  ];
  for (const warning of summary.warnings) lines.push(`  ! ${warning}`);
  if (summary.warningCount > summary.warnings.length)
    lines.push(`  … et ${summary.warningCount - summary.warnings.length} autres`);
  return lines.join('\n');
}

export function personReport(person: Person): string {
  const lines = [
    `${person.nationalId}  ${person.civility?.label ?? ''} ${person.givenNames.join(' ')} ${person.familyName}`
      .replace(/\s+/g, ' ')
      .trim(),
    table([
      [
        'Identifiant',
        `${person.idType === '8' ? 'RPPS' : person.idType === '0' ? 'ADELI' : `type ${person.idType}`} ${person.idPP}`,
      ],
      ['Actif', person.active ? 'oui' : `non (depuis ${person.inactivatedAt})`],
      ['E-mail', person.contact.email ?? '—'],
      ['Mobile', person.contact.mobile ?? '—'],
      ['Autres identifiants', person.otherIds.map((o) => `${o.id} (${o.type})`).join(', ') || '—'],
    ]),
  ];
  for (const pending of person.contact.pending) {
    lines.push(
      `  changement en attente au ${pending.effectiveAt} : ${[pending.email, pending.mobile].filter(Boolean).join(', ')}`,
    );
  }
  for (const exercice of person.exercices) {
    lines.push(
      `Exercice : ${exercice.profession.label ?? exercice.profession.code} — ${[exercice.civiliteExercice?.label, exercice.prenomExercice, exercice.nomExercice].filter(Boolean).join(' ')}`,
    );
    for (const sf of exercice.savoirFaire)
      lines.push(`  savoir-faire ${sf.type.label ?? sf.type.code} : ${sf.label ?? sf.code} (${sf.code})`);
    if (exercice.activities.length === 0) lines.push('  aucune situation d’exercice');
    for (const activity of exercice.activities) {
      const s = activity.structure;
      lines.push(`  situation : ${activity.mode?.label ?? '—'}, ${activity.sector?.label ?? '—'}`);
      if (s) {
        const street = [
          s.numeroVoie,
          s.indiceRepetitionVoie,
          s.typeVoieLabel || s.typeVoieCode,
          s.libelleVoie,
        ]
          .filter(Boolean)
          .join(' ');
        lines.push(
          `    ${s.raisonSociale || s.enseigne || s.structureId} — ${[street, s.bureauCedex].filter(Boolean).join(', ')}`,
        );
      } else lines.push('    sans structure (pas de lieu d’exercice)');
    }
  }
  return lines.join('\n');
}

function searchReport(results: PersonSummary[]): string {
  if (results.length === 0) return 'Aucun professionnel trouvé.';
  return results
    .map((r) =>
      [
        r.nationalId,
        `${r.civiliteExercice ?? ''} ${r.prenomExercice} ${r.nomExercice}`.trim(),
        r.professions.map((p) => p.label ?? p.code).join(', '),
        r.specialties.map((s) => s.label ?? s.code).join(', '),
        r.places.join(' ; '),
        r.active ? '' : '(inactif)',
      ]
        .filter(Boolean)
        .join(' | '),
    )
    .join('\n');
}

export function registerDirectoryCommands(program: Command): void {
  const directory = program
    .command('directory')
    .description('Annuaire des professionnels de santé (RPPS/ADELI) : import des extractions, consultation');

  directory
    .command('import')
    .description(
      'Importe une extraction complète (PS_LibreAcces_*.txt/.zip, Extraction_ProSanteConnect_*.txt) en une transaction',
    )
    .argument('<files...>', 'fichiers .txt ou archives .zip')
    .option('--force', 'accepte un import qui rendrait inactives plus de personnes que le seuil de sécurité')
    .option(
      '--lenient-keys',
      'accepte (avec avertissement) les identifiants dont la clé de contrôle est fausse',
    )
    .option('--json', 'sortie JSON')
    .action(
      action(async (files: string[], options: OutputOptions & { force?: boolean; lenientKeys?: boolean }) => {
        const system = await openSystem();
        const bar = new ProgressBar();
        try {
          const summary = await system.directory.importExtracts(files, {
            force: options.force,
            lenientKeys: options.lenientKeys,
            onProgress: (progress) => {
              if (progress.phase === 'read')
                bar.update(`Lecture ${progress.file}`, progress.bytes, progress.totalBytes);
              else bar.update('Application', progress.persons, undefined, ' personnes');
            },
          });
          bar.done();
          // An import changes who may log in: an admin action the audit log keeps.
          await system.audit.record({
            type: 'admin.directory.import',
            outcome: 'success',
            actor: 'cli',
            method: 'cli',
            details: {
              files: files.map((file) => file.split('/').at(-1)),
              linesRead: summary.linesRead,
              persons: summary.persons,
              forced: Boolean(options.force),
            },
          });
          emit(options, summary, () => importReport(summary));
        } finally {
          bar.done();
          await system.close();
        }
      }),
    );

  directory
    .command('show')
    .description('Affiche un professionnel par son identifiant national (8 + RPPS ou 0 + ADELI)')
    .argument('<idnat>', 'identifiant national')
    .option('--json', 'sortie JSON')
    .action(
      action(async (idnat: string, options: OutputOptions) => {
        const system = await openSystem();
        try {
          const person = await system.directory.get(idnat);
          emit(options, person, () => personReport(person));
        } finally {
          await system.close();
        }
      }),
    );

  directory
    .command('search')
    .description('Recherche des professionnels (nom, profession, spécialité, code postal, identifiant)')
    .option('--name <nom>', "début du nom d'exercice ; un second mot filtre le prénom")
    .option('--profession <code>', 'code profession (10 médecin, 21 pharmacien, 60 infirmier…)')
    .option('--specialty <code>', 'code savoir-faire (SM54 médecine générale…)')
    .option('--postcode <code>', 'code postal ou son début (75, 69003…)')
    .option('--id <identifiant>', 'identifiant national, numéro RPPS ou ADELI')
    .option('--limit <n>', 'nombre maximal de résultats', '20')
    .option('--inactive', 'inclut les personnes sorties de l’annuaire')
    .option('--json', 'sortie JSON')
    .action(
      action(
        async (
          options: OutputOptions & {
            name?: string;
            profession?: string;
            specialty?: string;
            postcode?: string;
            id?: string;
            limit: string;
            inactive?: boolean;
          },
        ) => {
          const system = await openSystem();
          try {
            const results = await system.directory.search({
              name: options.name,
              profession: options.profession,
              specialty: options.specialty,
              postcode: options.postcode,
              id: options.id,
              limit: Number(options.limit),
              includeInactive: options.inactive,
            });
            emit(options, results, () => searchReport(results));
          } finally {
            await system.close();
          }
        },
      ),
    );

  directory
    .command('set-contact')
    .description(
      "Enregistre un changement d'e-mail ou de mobile de correspondance fait auprès de l'autorité d'enregistrement ; il prend effet après le délai configuré (48 h par défaut)",
    )
    .argument('<idnat>', 'identifiant national')
    .option('--email <adresse>', 'nouvelle adresse e-mail ("" pour la retirer)')
    .option('--mobile <numéro>', 'nouveau mobile ("" pour le retirer)')
    .option('--by <auteur>', "qui fait la demande (pour l'historique)", 'cli')
    .option('--json', 'sortie JSON')
    .action(
      action(
        async (idnat: string, options: OutputOptions & { email?: string; mobile?: string; by: string }) => {
          const system = await openSystem();
          try {
            const change = await system.directory.requestContactChange({
              idnat,
              email: options.email,
              mobile: options.mobile,
              requestedBy: options.by,
            });
            await system.audit.record({
              type: 'admin.directory.set_contact',
              outcome: 'success',
              actor: options.by,
              subject: idnat,
              method: 'cli',
              details: {
                email: options.email !== undefined,
                mobile: options.mobile !== undefined,
                effectiveAt: change.effectiveAt,
              },
            });
            emit(
              options,
              change,
              () =>
                `Changement enregistré ; il prendra effet le ${change.effectiveAt}. L'ancienne valeur reste en vigueur d'ici là.`,
            );
          } finally {
            await system.close();
          }
        },
      ),
    );

  directory
    .command('stats')
    .description('Nombre de personnes actives et inactives, dernier import')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const system = await openSystem();
        try {
          const stats = await system.directory.stats();
          emit(options, stats, () =>
            table([
              ['Personnes actives', stats.active.toLocaleString('fr-FR')],
              ['Personnes inactives', stats.inactive.toLocaleString('fr-FR')],
              [
                'Dernier import',
                stats.lastImport ? `${stats.lastImport.id} (${stats.lastImport.finishedAt})` : 'aucun',
              ],
            ]),
          );
        } finally {
          await system.close();
        }
      }),
    );
}
