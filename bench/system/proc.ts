/**
 * CPU time and memory of a server process tree, read from `/proc` (Linux): the load generator
 * shares the machine's cores, so throughput alone would blur what the server itself costs.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`: the unit of utime and stime in `/proc/<pid>/stat` (usually 100). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime and stime, in clock ticks, of every thread of the process. */
  user: number;
  system: number;
}

/** Fields of `/proc/<pid>/stat`; the command name (2nd field) may hold spaces and parentheses. */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) … utime(14) stime(15), i.e. indexes 0, 1 … 11, 12 here.
  return { pid, ppid: Number(fields[1]), user: Number(fields[11]), system: Number(fields[12]) };
}

/** The roots and every process descending from them (found by scanning /proc for parents). */
export function processTree(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(stat.pid);
    children.set(stat.ppid, siblings);
  }
  const tree: number[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (tree.includes(pid)) continue;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU seconds used so far by the tree, in user and in kernel mode. Processes that ended in
 * between are not counted: the servers spawn none during a measure.
 */
export function treeCpuSeconds(roots: number[]): { user: number; system: number } {
  let user = 0;
  let system = 0;
  for (const pid of processTree(roots)) {
    const stat = readStat(pid);
    user += stat?.user ?? 0;
    system += stat?.system ?? 0;
  }
  return { user: user / clockTicks(), system: system / clockTicks() };
}

/** Resident memory of the tree, in MB (VmRSS of each process). */
export function treeRssMb(roots: number[]): number {
  let kb = 0;
  for (const pid of processTree(roots)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(match?.[1] ?? 0);
    } catch {
      // Gone in between.
    }
  }
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU seconds of the bench process itself (the load generator), for the record. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
