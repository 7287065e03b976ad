import { startCardHostServer, startIdpServer, startMessagingServers } from '../../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../../src/directory/index.ts';
import { createLogger, type RunningServer } from '../../src/platform/index.ts';
import { startTestRelyingParty, type TestRelyingParty } from './relying-party.ts';
import type { OpenedStore } from './stores.ts';
import { freePort, type TestSystem, testSystem } from './system.ts';

/**
 * What the e-CPS flow tests run against: the demo directory on a test store, the dev outbox (its
 * SMTP catcher and page, which receive the e-mails and SMS), the provider with the e-CPS, the
 * card host when asked, and a relying party's endpoints. Clients and cards are the test's own.
 */
export interface EcpsDeployment {
  test: TestSystem;
  rp: TestRelyingParty;
  issuer: string;
  /** The dev outbox's base URL (`/api/messages`). */
  outbox: string;
  close(): Promise<void>;
}

export async function startEcpsDeployment(
  opened: OpenedStore,
  options: { cardHost?: boolean } = {},
): Promise<EcpsDeployment> {
  const catcherPort = await freePort();
  const outboxPort = await freePort();
  const test = await testSystem(opened, {
    messaging: { catcherPort },
    outbox: { url: `http://localhost:${outboxPort}` },
  } as never);
  const { system } = test;
  await loadDemoDirectoryIfEmpty(system.directory);
  const rp = await startTestRelyingParty();
  const log = createLogger(process.env.CADUCEE_TEST_LOG ?? 'silent');
  const servers: RunningServer[] = [
    ...(await startMessagingServers(system, log)),
    await startIdpServer(system, log, test.ports.idp),
  ];
  if (options.cardHost) servers.push(await startCardHostServer(system, log, test.ports.cardHost));
  return {
    test,
    rp,
    issuer: system.settings.idp.url,
    outbox: system.settings.outbox.url,
    async close() {
      for (const server of servers) await server.close();
      await rp.close();
      test.dispose();
    },
  };
}
