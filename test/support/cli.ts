import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/caducee.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command that has not ended by then is stuck, not slow: the longest takes a few seconds. */
const CLI_TIMEOUT_MS = 120_000;

/** Runs the real `caducee` command in a child process, with only the given CADUCEE_* settings. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CADUCEE_')),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...cleanEnv, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Killed and reported with what it printed, so a hang names its command instead of holding
    // the test file open.
    const stuck = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`caducee ${args.join(' ')} did not end within ${CLI_TIMEOUT_MS} ms\n${stderr}`));
    }, CLI_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(stuck);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(stuck);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
