import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSystem, type System } from '../../src/cli/system.ts';
import { type DeepPartial, loadSettings, type Settings } from '../../src/platform/index.ts';
import type { OpenedStore } from './stores.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestSystem {
  system: System;
  dataDir: string;
  /** Ports reserved for the idp and the card host (their URLs are in the settings). */
  ports: { idp: number; cardHost: number };
  dispose(): void;
}

/**
 * A System on a test store, with its own data directory (PKI, cards) and free ports for its
 * servers, so that suites can run side by side.
 */
export async function testSystem(
  opened: OpenedStore,
  overrides: DeepPartial<Settings> = {},
): Promise<TestSystem> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caducee-system-'));
  const ports = { idp: await freePort(), cardHost: await freePort() };
  const { settings } = loadSettings({
    env: {},
    cwd: dataDir,
    overrides: {
      dataDir,
      logLevel: 'silent',
      ...overrides,
      idp: { url: `https://localhost:${ports.idp}`, ...overrides.idp },
      cardHost: { url: `https://localhost:${ports.cardHost}`, ...overrides.cardHost },
    },
  });
  return {
    system: buildSystem(settings, opened.store),
    dataDir,
    ports,
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
