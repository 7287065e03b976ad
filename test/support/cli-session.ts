import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/caducee.js', import.meta.url));

/**
 * An interactive `caducee` run: the test waits for a question on stderr, then types the answer,
 * as a person (or a script) would.
 */
export class CliSession {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>) {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('CADUCEE_')),
    );
    this.child = spawn(process.execPath, [BIN, ...args], { env: { ...clean, ...env } });
    this.child.stdout.on('data', (chunk) => {
      this.stdout += chunk;
    });
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    while (!pattern.test(this.stderr) && !pattern.test(this.stdout)) {
      if (this.child.exitCode !== null)
        throw new Error(`exited before ${pattern}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() - started > timeoutMs)
        throw new Error(`timeout waiting for ${pattern}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The exit code, or a failure naming what was printed if it does not exit in time. */
  async exitedWithin(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill();
        reject(new Error(`still running after ${ms} ms:\n${this.stdout}\n${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  answer(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }
}
