/**
 * Memory of each server process as the process itself sees it, read from its `/metrics`
 * (prom-client's default metrics): RSS alone cannot tell a heap that keeps growing (a leak) from
 * one that reached its working size late, or from native memory (buffers, the allocator).
 */
import type { Dispatcher } from 'undici';
import { send } from './http.ts';

/** A server process to sample: a name for the report and its `/metrics` URL. */
export interface MemoryProbe {
  name: string;
  url: string;
}

/** One process's memory at a sample, in MB. */
export interface ProcessMemory {
  rssMb: number;
  /** V8 heap in use (all spaces), and its old space alone: where retained objects end up. */
  heapUsedMb: number;
  oldSpaceUsedMb: number;
  /** Memory of C++ objects bound to JavaScript ones (Buffers, ArrayBuffers). */
  externalMb: number;
}

const METRICS: Record<keyof ProcessMemory, RegExp> = {
  rssMb: /^process_resident_memory_bytes (\S+)$/m,
  heapUsedMb: /^nodejs_heap_size_used_bytes (\S+)$/m,
  oldSpaceUsedMb: /^nodejs_heap_space_size_used_bytes\{space="old"\} (\S+)$/m,
  externalMb: /^nodejs_external_memory_bytes (\S+)$/m,
};

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Reads every probe; a probe that does not answer is left out of the sample. */
export async function sampleMemory(
  dispatcher: Dispatcher,
  probes: MemoryProbe[],
): Promise<Record<string, ProcessMemory>> {
  const sample: Record<string, ProcessMemory> = {};
  await Promise.all(
    probes.map(async (probe) => {
      const reply = await send(dispatcher, probe.url).catch(() => undefined);
      if (reply?.status !== 200) return;
      const values = Object.fromEntries(
        Object.entries(METRICS).map(([key, pattern]) => [
          key,
          mb(Number(pattern.exec(reply.text)?.[1] ?? Number.NaN)),
        ]),
      ) as unknown as ProcessMemory;
      sample[probe.name] = values;
    }),
  );
  return sample;
}
