import { Worker } from 'node:worker_threads';
import { CaduceeError } from '../../platform/errors/index.ts';
import { type ExtractSource, type ReadOptions, readExtractBatches } from '../extract/index.ts';
import type { StagedRow } from './assemble.ts';
import { type SnapshotPerson, snapshotPerson } from './snapshot-person.ts';

/**
 * Persons per batch: one existing-persons query each. Small, so that little is alive when V8
 * collects its young generation: with 500 the survivors made V8 grow it to 128 MB, a third of
 * the import's peak memory.
 */
export const BATCH = 100;

/** A batch of persons, and how many lines of the file were read up to it. */
export interface PersonBatch {
  persons: SnapshotPerson[];
  lines: number;
}

/**
 * Reads a person file whose identifiers each come on consecutive lines, as persons in batches.
 * An identifier that comes back further down makes a second person: the caller finds that out
 * (ImportScratch.list). Files from a few megabytes are read in a worker thread, so that reading,
 * checking and assembling the lines (about a third of an import) runs on another core while
 * this one writes.
 */
export function readPersons(source: ExtractSource, options: ReadOptions): AsyncGenerator<PersonBatch> {
  return source.location && (source.size ?? 0) >= WORKER_FROM_BYTES
    ? readInWorker(source, options)
    : readHere(source, options);
}

/** Below this size a worker's start (about 0.15 s) would cost more than it saves. */
const WORKER_FROM_BYTES = 4 * 1024 * 1024;

/** Batches the worker may send ahead of the writes: enough to keep both threads busy. */
export const IN_FLIGHT = 4;

/** readPersons in this thread (and what the worker runs). */
export async function* readHere(source: ExtractSource, options: ReadOptions): AsyncGenerator<PersonBatch> {
  let lines = 0;
  let persons: SnapshotPerson[] = [];
  let idnat: string | undefined;
  let rows: StagedRow[] = [];
  for await (const batch of readExtractBatches(source, options)) {
    for (const row of batch) {
      if (row.idnat !== idnat) {
        if (idnat !== undefined) persons.push(snapshotPerson(idnat, rows));
        if (persons.length === BATCH) {
          yield { persons, lines };
          persons = [];
        }
        idnat = row.idnat;
        rows = [];
      }
      rows.push({ kind: source.kind, values: row.values });
      lines++;
    }
  }
  if (idnat !== undefined) persons.push(snapshotPerson(idnat, rows));
  if (persons.length > 0) yield { persons, lines };
}

/** What the worker is given (read-persons.worker.ts). */
export interface WorkerInput {
  source: Pick<ExtractSource, 'kind' | 'name' | 'size'> & {
    location: NonNullable<ExtractSource['location']>;
  };
  lenientKeys: boolean;
}

/** What the worker sends: batches, then the end, or the error that stopped it. */
export type WorkerMessage =
  | { batch: PersonBatch; bytes: number; warnings: string[] }
  | { end: true; bytes: number; warnings: string[] }
  | {
      error: {
        code: string;
        status: number;
        message: string;
        hint?: string;
        details: Record<string, unknown>;
      };
    }
  | { crash: string };

async function* readInWorker(source: ExtractSource, options: ReadOptions): AsyncGenerator<PersonBatch> {
  const input: WorkerInput = {
    source: { kind: source.kind, name: source.name, size: source.size, location: source.location! },
    lenientKeys: options.lenientKeys ?? false,
  };
  const worker = new Worker(new URL('./read-persons.worker.ts', import.meta.url), {
    workerData: input,
    // Its allocations are short-lived: a small young generation keeps the process small.
    resourceLimits: { maxYoungGenerationSizeMb: 16 },
  });
  const received: WorkerMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (message: WorkerMessage) => {
    received.push(message);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the extract reader stopped (exit code ${code})`);
    wake?.();
  });
  try {
    for (;;) {
      while (received.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const message = received.shift();
      if (!message) throw failure;
      if ('error' in message) {
        const { code, status, message: text, hint, details } = message.error;
        throw new CaduceeError({ code, status }, text, { hint, details });
      }
      if ('crash' in message) throw new Error(message.crash);
      options.onBytes?.(message.bytes);
      for (const warning of message.warnings) options.onWarning?.(warning);
      if ('end' in message) return;
      worker.postMessage('more');
      yield message.batch;
    }
  } finally {
    await worker.terminate();
  }
}
