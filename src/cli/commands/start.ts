import type { Command } from 'commander';
import { loadDemoDirectoryIfEmpty } from '../../directory/index.ts';
import { anchorPeriodically, anchorsFile } from '../../platform/audit/index.ts';
import { BadRequest, createLogger, type Logger, type RunningServer } from '../../platform/index.ts';
import { ensureDemoCards } from '../demo/demo-cards.ts';
import { ensureDemoClient } from '../demo/demo-client.ts';
import { action } from '../output.ts';
import { startEspaceMedecinServer } from '../rp-servers.ts';
import { startCardHostServer, startIdpServer, startLieuxServer, startMessagingServers } from '../servers.ts';
import { openSystem, type System } from '../system.ts';

const SERVICES = ['idp', 'card-host', 'outbox', 'lieux', 'espace-medecin'] as const;

function stopOnSignal(system: System, servers: RunningServer[]) {
  const stop = async () => {
    await Promise.all(servers.map((server) => server.close()));
    await system.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * The provider's server notes the audit chain's head in the data directory every few minutes:
 * an anchor kept off the database, for `caducee audit verify --anchors-file`.
 */
function anchorAuditLog(system: System, log: Logger) {
  anchorPeriodically({ audit: system.audit, file: anchorsFile(system.settings.dataDir), log });
}

/** How many demo professionals the banner lists (the first are the ones demos rely on). */
const FEATURED = 8;

export function registerStartCommands(program: Command): void {
  program
    .command('start')
    .description(
      "Démarre tout le système sur cette machine ; sur une base vide, charge l'annuaire de démonstration et émet les cartes CPS de démonstration",
    )
    .action(
      action(async () => {
        const system = await openSystem();
        const log = createLogger(system.settings.logLevel);
        const demo = await loadDemoDirectoryIfEmpty(system.directory);
        const cards = await system.cards();
        const demoCards = await ensureDemoCards(cards, system.directory);
        const demoClient = await ensureDemoClient(system);
        const messagingServers = await startMessagingServers(system, log);
        const idp = await startIdpServer(system, log, undefined, demoClient);
        anchorAuditLog(system, log);
        const cardHost = await startCardHostServer(system, log);
        const lieux = await startLieuxServer(system, log);
        const espaceMedecin = await startEspaceMedecinServer(system, log);
        stopOnSignal(system, [...messagingServers, idp, cardHost, lieux, espaceMedecin]);
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
          `  Essayer une connexion    ${idp.url}/demo  (service de démonstration OpenID Connect)`,
          `  Fournisseur d'identité   ${idp.url}  (découverte : /.well-known/openid-configuration)`,
          `  Connexion par carte CPS  ${idp.url}/carte-cps`,
          `  Tester ma carte          ${system.settings.cardHost.url}/`,
          `  Lieux d'exercice         ${lieux.url}/  (service type Santé.fr)`,
          `  Espace médecin           ${espaceMedecin.url}/  (service type ViaTrajectoire)`,
          `  Application e-CPS (PWA)  ${idp.url}/ecps/app/  (à ouvrir sur le téléphone ou dans un second navigateur)`,
          `  Portail e-CPS            ${idp.url}/ecps/portail  (activation avec la carte, appareils, mot de passe oublié)`,
          `  API de l'annuaire        ${idp.url}/api/directory/persons?name=mar`,
          `  Description OpenAPI      ${idp.url}/api/directory/openapi.json`,
          `  Santé / métriques        ${idp.url}/health/ready  ${idp.url}/metrics`,
          '',
          `Certificat racine à approuver dans le navigateur : ${cards.hierarchy.dir}/root-ca.pem`,
          `Cartes CPS de démonstration (${demoCards.length}, fichiers PKCS#12 dont le mot de passe est le code porteur) :`,
          ...demoCards
            .slice(0, FEATURED)
            .map(
              (card) =>
                `  ${card.idnat}  code ${card.pin}  ${card.name} — ${card.profession}\n      ${card.file}`,
            ),
          demoCards.length > FEATURED
            ? `  … et ${demoCards.length - FEATURED} autres : codes dans ${cards.cardsDir}/codes-porteur.json`
            : '',
          'Importer une carte dans le navigateur : voir docs/cards.md.',
          '',
          `Client de démonstration : client_id ${demoClient.clientId}, client_secret ${demoClient.clientSecret}`,
          '',
          messagingServers.length
            ? `Messages envoyés (e-mails et SMS de développement) : ${system.settings.outbox.url}`
            : '',
          'Activer une e-CPS pour un professionnel de démonstration, par exemple 899760000010 :',
          `  Avec l'application web : ouvrez ${idp.url}/ecps/app/ , « Demander l'activation de la e-CPS »,`,
          `    puis le lien de l'e-mail (boîte d'envoi ci-dessus) et le code du SMS ; ou, avec sa carte importée`,
          `    dans le navigateur, ${idp.url}/ecps/portail puis scannez le QR code avec l'application.`,
          '  En ligne de commande :',
          '    npx caducee wallet request-activation 899760000010      # e-mail avec QR code et lien dans la boîte d’envoi',
          "    npx caducee wallet activate '<lien de l’e-mail>'         # demande le code reçu par SMS puis le mot de passe",
          "    (avec la carte : le lien du QR code du portail ; l'application affiche le code à saisir sur le portail)",
          `  Puis « Application e-CPS » sur ${idp.url}/demo, et : npx caducee wallet approve (ou l'application web)`,
          '  Votre propre service : npx caducee client add --name "Mon service" --redirect-uri https://…/callback',
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
        const servers =
          service === 'idp'
            ? [await startIdpServer(system, log)]
            : service === 'card-host'
              ? [await startCardHostServer(system, log)]
              : service === 'lieux'
                ? [await startLieuxServer(system, log)]
                : service === 'espace-medecin'
                  ? [await startEspaceMedecinServer(system, log)]
                  : await startMessagingServers(system, log);
        if (service === 'idp') anchorAuditLog(system, log);
        stopOnSignal(system, servers);
        for (const server of servers) log.info({ url: server.url, service }, 'listening');
      }),
    );
}
