#!/usr/bin/env node
// Plain JavaScript so that an older Node gets a clear message instead of a syntax error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `Caducée needs Node.js 24 or later (found ${process.versions.node}). See README.md, "Requirements".\n`,
  );
  process.exit(1);
}
const { main } = await import('../src/cli/index.ts');
await main();
