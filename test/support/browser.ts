import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium driven by Playwright (never a downloaded browser). The flags keep it from
 * reaching out to the network, which this machine does not have.
 */
export function launchChromium(): Promise<Browser> {
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
    ],
  });
}
