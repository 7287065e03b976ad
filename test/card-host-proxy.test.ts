import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, fetch } from 'undici';
import { startCardHostServer } from '../src/cli/servers.ts';
import { loadDemoDirectoryIfEmpty } from '../src/directory/index.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { freePort, type TestSystem, testSystem } from './support/system.ts';

const NGINX = process.env.CADUCEE_NGINX ?? '/usr/sbin/nginx';

/** nginx terminates TLS and forwards the card as `$ssl_client_escaped_cert`, from 127.0.0.2. */
function nginxConfig(
  dir: string,
  options: { port: number; upstream: number; cert: string; key: string; cardCa: string },
): string {
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  return `worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${options.port} ssl;
    ssl_certificate ${options.cert};
    ssl_certificate_key ${options.key};
    ssl_client_certificate ${options.cardCa};
    # The card host checks chain, dates, usage and revocation itself, with a page per failure.
    ssl_verify_client optional_no_ca;
    ssl_verify_depth 3;
    location / {
      proxy_pass http://127.0.0.1:${options.upstream};
      proxy_bind 127.0.0.2;
      proxy_set_header Host $host;
      proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
}

for (const storeCase of storeCases()) {
  describe(`card host behind nginx (proxy mode, ${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let test: TestSystem;
    let server: RunningServer;
    let nginx: ChildProcess;
    let nginxPort: number;
    let upstream: number;
    let ca: string;
    let card: { pfx: Buffer; passphrase: string };

    before(async () => {
      opened = await storeCase.open();
      nginxPort = await freePort();
      upstream = await freePort();
      test = await testSystem(opened, {
        cardHost: {
          url: `https://localhost:${nginxPort}`,
          mode: 'proxy',
          listenPort: upstream,
          trustedProxies: '127.0.0.2',
        },
      });
      const { system } = test;
      await loadDemoDirectoryIfEmpty(system.directory);
      const cards = await system.cards();
      const issued = await cards.issue('899760000010', { pin: '1234' });
      card = { pfx: readFileSync(issued.file), passphrase: '1234' };
      const tls = await system.tls();
      ca = tls.caPem;
      const dir = path.join(test.dataDir, 'nginx');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'fullchain.pem'), tls.fullChainPem);
      writeFileSync(path.join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
      // The card CA and its root: nginx needs a self-signed anchor to complete the chain.
      writeFileSync(
        path.join(dir, 'card-ca.pem'),
        `${cards.hierarchy.persons.pem.trim()}\n${cards.hierarchy.root.pem.trim()}\n`,
      );
      const config = path.join(dir, 'nginx.conf');
      writeFileSync(
        config,
        nginxConfig(dir, {
          port: nginxPort,
          upstream,
          cert: path.join(dir, 'fullchain.pem'),
          key: path.join(dir, 'key.pem'),
          cardCa: path.join(dir, 'card-ca.pem'),
        }),
      );
      server = await startCardHostServer(system, createLogger('silent'));
      nginx = spawn(NGINX, ['-p', dir, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      nginx.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      // Wait until nginx answers (or says why it cannot).
      for (let attempt = 0; ; attempt++) {
        try {
          await fetch(`https://localhost:${nginxPort}/health/live`, {
            dispatcher: new Agent({ connect: { ca } }),
          });
          break;
        } catch (error) {
          if (attempt > 50 || nginx.exitCode !== null)
            throw new Error(`nginx did not start: ${stderr} ${error}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });

    after(async () => {
      nginx?.kill('SIGQUIT');
      await server?.close();
      if (!process.env.KEEP) test?.dispose();
      await opened?.dispose();
    });

    it('identifies the card nginx verified and forwarded', async () => {
      const withCard = new Agent({ connect: { ca, pfx: card.pfx, passphrase: card.passphrase } });
      const page = await (await fetch(`https://localhost:${nginxPort}/`, { dispatcher: withCard })).text();
      assert.match(page, /Carte lue\./);
      assert.match(page, /899760000010/);
      const withoutCard = await fetch(`https://localhost:${nginxPort}/`, {
        dispatcher: new Agent({ connect: { ca } }),
      });
      assert.equal(withoutCard.status, 401);
      assert.match(await withoutCard.text(), /Carte non lue\./);
      // The client's address is the one nginx forwards (it connects from 127.0.0.2 itself).
      const [tested] = await test.system.audit.list({ type: 'card.test' });
      assert.equal(tested?.ip, '127.0.0.1');
    });

    it('ignores the certificate header from any address but the configured proxy', async () => {
      const pem = (await (await test.system.cards()).list('899760000010'))[0];
      assert.ok(pem);
      const certificate = (
        await opened.store.db
          .selectFrom('card')
          .select('certificate')
          .where('serial', '=', pem.serial)
          .executeTakeFirstOrThrow()
      ).certificate as string;
      const spoofed = await fetch(`http://127.0.0.1:${upstream}/`, {
        headers: { 'x-ssl-client-cert': encodeURIComponent(certificate), 'x-forwarded-for': '192.0.2.1' },
      });
      assert.equal(spoofed.status, 401);
      assert.match(await spoofed.text(), /Carte non lue\./);
      const ignored = await test.system.audit.list({ type: 'card.proxy-header-ignored' });
      assert.equal(ignored[0]?.ip, '127.0.0.1');
    });
  });
}
