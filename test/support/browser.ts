import { createHash, X509Certificate } from 'node:crypto';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium driven by Playwright (never a downloaded browser). The flags keep it from
 * reaching out to the network, which this machine does not have.
 */
export function launchChromium(options: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CADUCEE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
  });
}

/**
 * A Chromium flag that trusts the key of this server certificate (the first of a PEM chain), as a
 * phone that installed the deployment's root CA would. Contexts' `ignoreHTTPSErrors` is not
 * enough for a PWA: Chromium refuses service worker scripts fetched over a certificate error.
 */
export function trustServerKey(certificatePem: string): string {
  const key = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(key).digest('base64')}`;
}
