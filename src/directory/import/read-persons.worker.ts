import { parentPort, workerData } from 'node:worker_threads';
import { isCaduceeError } from '../../platform/errors/index.ts';
import { openSource } from '../extract/index.ts';
import { IN_FLIGHT, readHere, type WorkerInput, type WorkerMessage } from './read-persons.ts';

/**
 * The worker thread of readPersons: reads one person file and sends its persons in batches,
 * at most IN_FLIGHT ahead of the thread that writes them.
 */
const { source, lenientKeys } = workerData as WorkerInput;
const port = parentPort!;
let credits = IN_FLIGHT;
let resume: (() => void) | undefined;
port.on('message', () => {
  credits++;
  resume?.();
});

let bytes = 0;
let warnings: string[] = [];
const send = (message: WorkerMessage) => {
  port.postMessage(message);
  warnings = [];
};
try {
  const reading = readHere(
    { ...source, open: () => openSource(source.location, source.name) },
    { lenientKeys, onBytes: (read) => (bytes = read), onWarning: (warning) => warnings.push(warning) },
  );
  for await (const batch of reading) {
    while (credits === 0) await new Promise<void>((resolve) => (resume = resolve));
    credits--;
    send({ batch, bytes, warnings });
  }
  send({ end: true, bytes, warnings });
} catch (error) {
  send(
    isCaduceeError(error)
      ? {
          error: {
            code: error.code,
            status: error.status,
            message: error.message,
            hint: error.hint,
            details: { ...error.details },
          },
        }
      : { crash: error instanceof Error ? (error.stack ?? error.message) : String(error) },
  );
}
