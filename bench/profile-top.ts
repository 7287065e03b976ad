/**
 * The top of a V8 CPU profile (`node --cpu-prof`), for reading where a server spends its time:
 * `node bench/profile-top.ts <file.cpuprofile> [rows] [from]` prints the self time per function and
 * per package (or source folder), counting only the samples taken `from` seconds after the profile
 * began (a server's start, its data loading, would otherwise weigh in a short run).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg, fromArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.ts <file.cpuprofile> [rows] [from seconds]\n');
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const fromUs = Number(fromArg ?? 0) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map<number, number>();
let elapsedUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  elapsedUs += profile.timeDeltas[i] ?? 0;
  if (elapsedUs < fromUs) continue;
  const id = profile.samples[i]!;
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
}
let total = 0;
let idle = 0;
for (const [id, ms] of selfMs) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') idle += ms;
  else total += ms;
}
process.stdout.write(
  `busy ${Math.round(total)} ms, idle ${Math.round(idle)} ms (shares below are of the busy time)\n`,
);

/** Where a function comes from: a package, a folder of src/, or V8/Node itself. */
function origin(url: string): string {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const src = /\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url);
  if (src) return src[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*\//, '');
}

const functions = new Map<string, number>();
const origins = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^file:\/\/.*?\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}` : ''}`;
  functions.set(name, (functions.get(name) ?? 0) + ms);
  const where = origin(url);
  origins.set(where, (origins.get(where) ?? 0) + ms);
}

const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title} (of ${Math.round(total)} ms sampled)\n`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    process.stdout.write(`${((ms / total) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  }
};
print('self time by package or folder', origins);
print('self time by function', functions);
