import { asCaduceeError, errorToJson, errorToText } from '../platform/errors/index.ts';

/**
 * Every command prints for a person by default and a JSON document with `--json`; failures
 * follow the same rule (the error catalogue's code, message and hint), on stderr for people.
 */
export interface OutputOptions {
  json?: boolean;
}

export function emit(options: OutputOptions, data: unknown, human: () => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** Exit codes: 1 for a refused request (bad input, not found…), 70 for an internal failure. */
export function fail(options: OutputOptions, thrown: unknown): never {
  const { error, reference } = asCaduceeError(thrown);
  if (reference) process.stderr.write(`${(thrown as Error)?.stack ?? String(thrown)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(errorToJson(error), null, 2)}\n`);
  else process.stderr.write(`${errorToText(error)}\n`);
  process.exit(error.status >= 500 && error.code === 'INTERNAL_ERROR' ? 70 : 1);
}

/** Wraps a command action so that any error is rendered by `fail`. */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // Commander passes the options object just before the Command itself.
    const options = (args.at(-2) ?? {}) as OutputOptions;
    try {
      await run(...args);
    } catch (error) {
      fail(options, error);
    }
  };
}

/** Left-aligned two-column table for human output. */
export function table(rows: Array<[string, string]>): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n');
}
