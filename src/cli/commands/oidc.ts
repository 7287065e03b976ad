import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  addClient,
  KEYS_ROTATED,
  listClients,
  listSigningKeys,
  loadClientSecretKey,
  newClientSecret,
  type OidcDb,
  oidcErrors,
  removeClient,
  rotateClientSecret,
  rotateSigningKeys,
} from '../../oidc/index.ts';
import { action, emit, type OutputOptions, table } from '../output.ts';
import { openSystem } from '../system.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
];

function checkUri(kind: string, value: string) {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw oidcErrors.ClientInvalid({ reason: `${kind} « ${value} » n'est pas une URL absolue` });
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw oidcErrors.ClientInvalid({
      reason: `${kind} « ${value} » doit être en https (http seulement sur localhost)`,
    });
  }
  if (url.hash)
    throw oidcErrors.ClientInvalid({ reason: `${kind} « ${value} » ne doit pas contenir de fragment (#)` });
}

interface ClientOptions extends OutputOptions {
  name: string;
  redirectUri: string[];
  postLogoutRedirectUri?: string[];
  authMethod: string;
  jwksUri?: string;
  jwks?: string;
  backchannelLogoutUri?: string;
  grantType?: string[];
  alg?: string;
  clientId?: string;
  ciba?: boolean;
  cibaPing?: string;
}

export function registerOidcCommands(program: Command): void {
  const client = program
    .command('client')
    .description('Services (clients OpenID Connect) autorisés à utiliser le fournisseur d’identité');
  client
    .command('add')
    .description('Enregistre un service et affiche son client_id et son client_secret')
    .requiredOption('--name <nom>', 'nom du service, affiché sur la page de connexion')
    .requiredOption('--redirect-uri <url>', 'adresse de retour autorisée (répétable)', collect)
    .option('--post-logout-redirect-uri <url>', 'adresse de retour après déconnexion (répétable)', collect)
    .option(
      '--auth-method <méthode>',
      `authentification du client : ${AUTH_METHODS.join(', ')}`,
      'client_secret_basic',
    )
    .option('--jwks-uri <url>', 'clés publiques du client (private_key_jwt)')
    .option('--jwks <fichier>', 'fichier JWKS des clés publiques du client (private_key_jwt)')
    .option('--backchannel-logout-uri <url>', 'adresse de déconnexion en back-channel')
    .option(
      '--grant-type <type>',
      'type d’autorisation (répétable ; défaut : authorization_code et refresh_token)',
      collect,
    )
    .option('--alg <alg>', 'algorithme de signature des jetons d’identité (ES256 ou RS256)')
    .option('--client-id <id>', 'identifiant à utiliser (tiré au hasard sinon)')
    .option('--ciba', 'autorise la connexion découplée (CIBA, mode poll) avec la e-CPS')
    .option('--ciba-ping <url>', 'CIBA en mode ping : adresse de notification du client')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: ClientOptions) => {
        if (!AUTH_METHODS.includes(options.authMethod)) {
          throw oidcErrors.ClientInvalid({
            reason: `méthode « ${options.authMethod} » inconnue (${AUTH_METHODS.join(', ')})`,
          });
        }
        for (const uri of options.redirectUri) checkUri('redirect_uri', uri);
        for (const uri of options.postLogoutRedirectUri ?? []) checkUri('post_logout_redirect_uri', uri);
        if (options.backchannelLogoutUri) checkUri('backchannel_logout_uri', options.backchannelLogoutUri);
        if (options.authMethod === 'private_key_jwt' && !options.jwksUri && !options.jwks) {
          throw oidcErrors.ClientInvalid({ reason: 'private_key_jwt demande --jwks-uri ou --jwks' });
        }
        const clientId = options.clientId ?? `caducee-${randomBytes(9).toString('base64url')}`;
        const secretNeeded = options.authMethod.startsWith('client_secret');
        const metadata: Record<string, unknown> & { client_id: string } = {
          client_id: clientId,
          client_name: options.name,
          redirect_uris: options.redirectUri,
          post_logout_redirect_uris: options.postLogoutRedirectUri ?? [],
          token_endpoint_auth_method: options.authMethod,
          grant_types: options.grantType ?? ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        };
        if (secretNeeded) metadata.client_secret = newClientSecret();
        if (options.jwksUri) metadata.jwks_uri = options.jwksUri;
        if (options.jwks) metadata.jwks = JSON.parse(readFileSync(options.jwks, 'utf8'));
        if (options.backchannelLogoutUri) {
          metadata.backchannel_logout_uri = options.backchannelLogoutUri;
          metadata.backchannel_logout_session_required = true;
        }
        if (options.alg) metadata.id_token_signed_response_alg = options.alg;
        if (options.ciba || options.cibaPing) {
          if (options.cibaPing) checkUri('backchannel_client_notification_endpoint', options.cibaPing);
          metadata.grant_types = [...(metadata.grant_types as string[]), 'urn:openid:params:grant-type:ciba'];
          metadata.backchannel_token_delivery_mode = options.cibaPing ? 'ping' : 'poll';
          if (options.cibaPing) metadata.backchannel_client_notification_endpoint = options.cibaPing;
        }
        const system = await openSystem();
        try {
          await addClient(system.store.db as OidcDb, loadClientSecretKey(system.settings), metadata);
          await system.audit.record({
            type: 'admin.client.add',
            outcome: 'success',
            actor: 'cli',
            subject: clientId,
          });
          const shown = {
            ...metadata,
            client_secret: metadata.client_secret ?? null,
            issuer: system.settings.idp.url,
          };
          emit(options, shown, () =>
            table([
              ['client_id', clientId],
              ['client_secret', String(metadata.client_secret ?? '(aucun)')],
              ['issuer', system.settings.idp.url],
              [
                'découverte',
                `${system.settings.idp.url.replace(/\/$/, '')}/.well-known/openid-configuration`,
              ],
            ]),
          );
        } finally {
          await system.close();
        }
      }),
    );
  client
    .command('list')
    .description('Liste les services enregistrés (sans leurs secrets)')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const system = await openSystem();
        try {
          const clients = (await listClients(system.store.db as OidcDb)).map(
            ({ client_secret: _secret, ...rest }) => rest,
          );
          emit(options, clients, () =>
            clients.length === 0
              ? 'Aucun service enregistré.'
              : clients
                  .map(
                    (c) =>
                      `${c.client_id}  ${String(c.client_name ?? '')}  ${(c.redirect_uris as string[]).join(' ')}`,
                  )
                  .join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
  client
    .command('rotate-secret')
    .description(
      'Donne un nouveau secret à un service et l’affiche une seule fois ; l’ancien est refusé dès maintenant',
    )
    .argument('<client_id>', 'identifiant du service')
    .option('--json', 'sortie JSON')
    .action(
      action(async (clientId: string, options: OutputOptions) => {
        const system = await openSystem();
        try {
          const secret = await rotateClientSecret(
            system.store.db as OidcDb,
            loadClientSecretKey(system.settings),
            clientId,
          );
          if (secret === undefined) throw oidcErrors.ClientNotFound({ clientId });
          await system.audit.record({
            type: 'admin.client.rotate_secret',
            outcome: 'success',
            actor: 'cli',
            subject: clientId,
          });
          emit(options, { client_id: clientId, client_secret: secret }, () =>
            [
              table([
                ['client_id', clientId],
                ['client_secret', secret],
              ]),
              'Nouveau secret affiché une seule fois : transmettez-le au service. L’ancien est refusé dès maintenant.',
            ].join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
  client
    .command('remove')
    .description('Retire un service : ses jetons ne sont plus acceptés')
    .argument('<client_id>', 'identifiant du service')
    .option('--json', 'sortie JSON')
    .action(
      action(async (clientId: string, options: OutputOptions) => {
        const system = await openSystem();
        try {
          if (!(await removeClient(system.store.db as OidcDb, clientId)))
            throw oidcErrors.ClientNotFound({ clientId });
          await system.audit.record({
            type: 'admin.client.remove',
            outcome: 'success',
            actor: 'cli',
            subject: clientId,
          });
          emit(options, { removed: clientId }, () => `Service ${clientId} retiré.`);
        } finally {
          await system.close();
        }
      }),
    );

  const keys = program
    .command('keys')
    .description('Clés de signature du fournisseur d’identité (stockées en base)');
  keys
    .command('rotate')
    .description(
      'Crée de nouvelles clés (ES256, RS256) ; les anciennes restent publiées le temps que leurs jetons expirent',
    )
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const system = await openSystem();
        try {
          const result = await rotateSigningKeys(system.store.db as OidcDb);
          await system.audit.record({ type: 'admin.keys.rotate', outcome: 'success', actor: 'cli' });
          // Running nodes reload now rather than at their next periodic check.
          await system
            .events()
            .publish(KEYS_ROTATED, { at: new Date().toISOString() })
            .catch(() => undefined);
          emit(options, result, () =>
            result
              .map((k) => `${k.kid}  ${k.alg}  ${k.retiredAt ? `retirée le ${k.retiredAt}` : 'active'}`)
              .join('\n'),
          );
        } finally {
          await system.close();
        }
      }),
    );
  keys
    .command('list')
    .description('Liste les clés de signature')
    .option('--json', 'sortie JSON')
    .action(
      action(async (options: OutputOptions) => {
        const system = await openSystem();
        try {
          const result = await listSigningKeys(system.store.db as OidcDb);
          emit(
            options,
            result,
            () =>
              result
                .map((k) => `${k.kid}  ${k.alg}  ${k.retiredAt ? `retirée le ${k.retiredAt}` : 'active'}`)
                .join('\n') || 'Aucune clé (créées au démarrage).',
          );
        } finally {
          await system.close();
        }
      }),
    );
}
