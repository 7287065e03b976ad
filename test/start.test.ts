import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/caducee.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('caducee start (what npm start runs)', () => {
  it('loads the demo directory on an empty data directory, serves it, prints its URLs, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'caducee-start-'));
    const port = await freePort();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('CADUCEE_')),
    );
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        ...env,
        CADUCEE_DATA_DIR: dataDir,
        CADUCEE_IDP_URL: `https://localhost:${port}`,
        CADUCEE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner in time:\n${output}`)), 30_000);
        child.stdout.on('data', () => {
          if (output.includes('Ctrl+C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      assert.match(output, /Annuaire de démonstration chargé : 35 professionnels/);
      assert.match(output, new RegExp(`http://localhost:${port}/api/directory/persons`));
      const response = await fetch(
        `http://localhost:${port}/api/directory/persons?profession=10&postcode=75`,
      );
      assert.equal(response.status, 200);
      const { results } = (await response.json()) as { results: Array<{ nomExercice: string }> };
      assert.ok(results.some((r) => r.nomExercice === 'MARTIN'));
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exit, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
