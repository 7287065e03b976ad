import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Agent, fetch as undiciFetch } from 'undici';
import { loadSettings } from '../../platform/index.ts';
import { type Fetch, WalletClient, WalletError, type WalletState } from '../../wallet/index.ts';
import { emit, type OutputOptions } from '../output.ts';

/** Closed when a command ends, so that the process exits (stdin reader, keep-alive sockets). */
const openResources = new Set<() => unknown>();

interface WalletOptions extends OutputOptions {
  wallet?: string;
  server?: string;
  ca?: string;
}

/** Questions go to stderr and answers come line by line from stdin (a terminal or a script). */
class Questions {
  #lines: AsyncIterator<string> | undefined;
  #reader: ReturnType<typeof createInterface> | undefined;
  async ask(question: string): Promise<string> {
    process.stderr.write(question);
    this.#reader ??= createInterface({ input: process.stdin, terminal: false });
    openResources.add(() => this.#reader?.close());
    this.#lines ??= this.#reader[Symbol.asyncIterator]();
    const next = await this.#lines.next();
    if (next.done)
      throw new WalletError(
        'WALLET_NO_ANSWER',
        `Pas de réponse à « ${question.trim()} » (entrée standard fermée).`,
      );
    return String(next.value).trim();
  }
}

function open(options: WalletOptions) {
  const { settings } = loadSettings();
  const dir = path.resolve(options.wallet ?? path.join(settings.dataDir, 'wallet'));
  const file = path.join(dir, 'wallet.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as WalletState) : undefined;
  const server = options.server ?? saved?.server ?? settings.idp.url;
  const caFile = options.ca ?? path.join(settings.dataDir, 'pki', 'root-ca.pem');
  const dispatcher = new Agent({ connect: existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {} });
  openResources.add(() => dispatcher.close());
  const fetchImpl: Fetch = (url, init) =>
    undiciFetch(url, { ...init, dispatcher }) as unknown as ReturnType<Fetch>;
  const client = new WalletClient({ ...(saved ?? {}), server }, fetchImpl);
  const save = () => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The private key is in this file: owner only.
    writeFileSync(file, `${JSON.stringify(client.state, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  return { client, save, dir };
}

function walletAction<A extends unknown[]>(run: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    const options = (args.at(-2) ?? {}) as OutputOptions;
    try {
      await run(...args);
      for (const close of openResources) await close();
    } catch (error) {
      if (error instanceof WalletError) {
        if (options.json)
          process.stdout.write(
            `${JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint } }, null, 2)}\n`,
          );
        else
          process.stderr.write(
            `Erreur ${error.code} : ${error.message}${error.hint ? `\n→ ${error.hint}` : ''}\n`,
          );
        process.exit(1);
      }
      process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
      process.exit(70);
    }
  };
}

const common = (command: Command) =>
  command
    .option(
      '--wallet <dossier>',
      "dossier où l'application garde sa clé et son état (défaut : <données>/wallet)",
    )
    .option('--server <url>', 'adresse du fournisseur d’identité (défaut : CADUCEE_IDP_URL)')
    .option('--ca <fichier>', 'certificat racine à approuver (défaut : <données>/pki/root-ca.pem)')
    .option('--json', 'sortie JSON');

export function registerWalletCommands(program: Command): void {
  const wallet = program
    .command('wallet')
    .description("L'application e-CPS en ligne de commande (même protocole que l'application du téléphone)");

  common(wallet.command('request-activation'))
    .description(
      "Demande l'activation sans carte : un e-mail avec un QR code et un lien est envoyé à l'adresse de correspondance",
    )
    .argument('<idnat>', 'identifiant national')
    .action(
      walletAction(async (idnat: string, options: WalletOptions) => {
        const { client, save } = open(options);
        const contacts = await client.describeActivation(idnat);
        const sent = await client.sendActivationEmail(idnat);
        save();
        emit(options, { ...contacts, sent: true }, () =>
          [
            `E-mail de correspondance : ${contacts.email}`,
            `Mobile de correspondance : ${contacts.mobile}`,
            `Demande envoyée : ouvrez l'e-mail reçu à ${sent.email} puis : caducee wallet activate '<lien>'`,
          ].join('\n'),
        );
      }),
    );

  common(wallet.command('activate'))
    .description(
      "Active la e-CPS avec le lien de l'e-mail ou le contenu du QR code du portail ; demande ensuite le code reçu par SMS (ou affiche le code à saisir sur le portail) puis le mot de passe, deux fois",
    )
    .argument('<url>', "lien d'activation")
    .option('--device-name <nom>', "nom de l'appareil", `${os.hostname()} (ligne de commande)`)
    .action(
      walletAction(async (url: string, options: WalletOptions & { deviceName: string }) => {
        const { client, save } = open(options);
        const questions = new Questions();
        const started = await client.startActivation(url, {
          name: options.deviceName,
          model: 'caducee-cli',
          os: `${os.type()} ${os.release()}`,
          appVersion: '0.1.0',
        });
        save();
        if (started.mode === 'card') {
          // Card way: the portal's page asks for this code; the app only waits for it to be typed.
          process.stderr.write(
            `Code à saisir sur le portail e-CPS de votre ordinateur : ${started.code}\nEn attente de la saisie…\n`,
          );
          await client.waitForPortalCode();
        } else process.stderr.write(`Un code d'activation a été envoyé par SMS au ${started.mobile}.\n`);
        for (;;) {
          if (started.mode === 'card') break;
          try {
            await client.confirmCode(await questions.ask('Code reçu par SMS : '));
            break;
          } catch (error) {
            if (
              error instanceof WalletError &&
              error.code === 'ECPS_WRONG_ACTIVATION_CODE' &&
              /reste/.test(error.message)
            ) {
              process.stderr.write(`${error.message}\n`);
              continue;
            }
            throw error;
          }
        }
        let result: { expiresAt: string };
        for (;;) {
          const pin = await questions.ask('Choisissez votre mot de passe e-CPS (4 chiffres) : ');
          const again = await questions.ask('Confirmez votre mot de passe : ');
          if (pin !== again) {
            process.stderr.write('Les deux saisies diffèrent. Recommencez.\n');
            continue;
          }
          try {
            result = await client.choosePin(pin);
            break;
          } catch (error) {
            if (
              error instanceof WalletError &&
              (error.code === 'ECPS_WEAK_PIN' || error.code === 'ECPS_INVALID_PIN_FORMAT')
            ) {
              process.stderr.write(`${error.message}\n`);
              continue;
            }
            throw error;
          }
        }
        save();
        emit(
          options,
          { status: 'active', deviceId: client.state.deviceId, expiresAt: result.expiresAt },
          () => `Votre e-CPS est active (valable jusqu'au ${result.expiresAt}).`,
        );
      }),
    );

  common(wallet.command('approve'))
    .description(
      'Attend la prochaine demande de connexion, puis la valide (code affiché sur la page de connexion et mot de passe) ou la refuse',
    )
    .option('--pin <code>', 'mot de passe e-CPS (demandé sinon)')
    .option('--code <nn>', 'code affiché sur la page de connexion (demandé sinon)')
    .option('--deny', 'refuse la demande')
    .option('--report', "avec --deny : « Ce n'était pas moi » (la demande est signalée)")
    .option('--timeout <secondes>', 'attente maximale', '120')
    .action(
      walletAction(
        async (
          options: WalletOptions & {
            pin?: string;
            code?: string;
            deny?: boolean;
            report?: boolean;
            timeout: string;
          },
        ) => {
          const { client } = open(options);
          const questions = new Questions();
          const deadline = Date.now() + Number(options.timeout) * 1000;
          let request: Awaited<ReturnType<WalletClient['pending']>>[number] | undefined;
          while (!request) {
            [request] = await client.pending();
            if (request) break;
            if (Date.now() > deadline)
              throw new WalletError('WALLET_NO_REQUEST', 'Aucune demande de connexion reçue.');
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
          process.stderr.write(`Demande de connexion à ${request.service}\n`);
          if (request.bindingMessage) process.stderr.write(`Message : ${request.bindingMessage}\n`);
          if (request.choices.length)
            process.stderr.write(`Codes proposés : ${request.choices.join('  ')}\n`);
          if (options.deny) {
            await client.deny(request.id, { report: options.report });
            emit(options, { id: request.id, status: 'denied', reported: Boolean(options.report) }, () =>
              options.report ? 'Demande refusée et signalée.' : 'Demande refusée.',
            );
            return;
          }
          const code = request.choices.length
            ? (options.code ?? (await questions.ask('Code affiché sur la page de connexion : ')))
            : undefined;
          const pin = options.pin ?? (await questions.ask('Mot de passe e-CPS : '));
          await client.approve(request.id, { code, pin });
          emit(
            options,
            { id: request.id, service: request.service, status: 'approved' },
            () => `Connexion à ${request.service} validée.`,
          );
        },
      ),
    );

  common(wallet.command('test'))
    .description('« Je teste ma e-CPS » : une connexion de test avec le mot de passe')
    .option('--pin <code>', 'mot de passe e-CPS (demandé sinon)')
    .action(
      walletAction(async (options: WalletOptions & { pin?: string }) => {
        const { client } = open(options);
        const pin = options.pin ?? (await new Questions().ask('Mot de passe e-CPS : '));
        const result = await client.test(pin);
        emit(options, result, () => result.message);
      }),
    );

  common(wallet.command('logout-all'))
    .description('« Je me déconnecte de toutes les sessions » : met fin à toutes vos sessions ouvertes')
    .action(
      walletAction(async (options: WalletOptions) => {
        const { client } = open(options);
        const result = await client.logoutEverywhere();
        emit(options, result, () =>
          result.sessions > 0
            ? `Vous êtes déconnecté de ${result.sessions} session${result.sessions > 1 ? 's' : ''}.`
            : 'Aucune session ouverte.',
        );
      }),
    );

  common(wallet.command('status'))
    .description('État de la e-CPS de cette application')
    .action(
      walletAction(async (options: WalletOptions) => {
        const { client } = open(options);
        if (!client.state.deviceId) {
          emit(
            options,
            { status: 'none' },
            () => 'Aucune e-CPS dans cette application : caducee wallet request-activation <idnat>.',
          );
          return;
        }
        const status = await client.status();
        emit(options, status, () =>
          [
            `e-CPS de ${status.idnat} : ${status.status}`,
            `Activée le ${status.activatedAt ?? '—'}, valable jusqu'au ${status.expiresAt ?? '—'}`,
            `Dernière utilisation : ${status.lastUsedAt ?? '—'}`,
          ].join('\n'),
        );
      }),
    );

  common(wallet.command('deactivate'))
    .description('Désactive la e-CPS de cette application (elle devra être activée de nouveau)')
    .action(
      walletAction(async (options: WalletOptions) => {
        const { client, save } = open(options);
        await client.deactivate();
        save();
        emit(options, { status: 'revoked' }, () => 'Votre e-CPS est désactivée sur cet appareil.');
      }),
    );
}
