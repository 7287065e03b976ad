// The test command of the README (`npm test`): unit tests next to the code, flow and
// integration tests under test/. Node's runner, one file per process.
import { spawnSync } from 'node:child_process';

const patterns = process.argv.length > 2 ? process.argv.slice(2) : ['src/**/*.test.ts', 'test/**/*.test.ts'];
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...patterns], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
