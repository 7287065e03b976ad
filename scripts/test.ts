// The test command of the README (`npm test`): unit tests next to the code, flow and
// integration tests under test/. Node's runner, one file per process.
import { spawnSync } from 'node:child_process';

const patterns = process.argv.length > 2 ? process.argv.slice(2) : ['src/**/*.test.ts', 'test/**/*.test.ts'];
const result = spawnSync(
  process.execPath,
  [
    '--test',
    '--test-concurrency=2',
    // A test or hook that never settles fails by name after five minutes (the slowest test takes
    // well under one) instead of holding the whole run until CI gives up on it; whatever it left
    // open (a browser, a socket) does not keep its file's process alive after that.
    '--test-timeout=300000',
    '--test-force-exit',
    ...patterns,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
