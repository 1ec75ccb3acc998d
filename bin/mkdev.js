#!/usr/bin/env node
// Thin launcher for the bundled CLI (scripts/build-cli.ts): an entry and a chunk per command, each
// loaded only when asked for. The compile cache keeps V8's compiled code on disk, so the second and
// later runs skip most of the parse cost (measured: no-op `up` and `status` start-up).
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli-bundle/main.js');
process.exitCode = await main(process.argv.slice(2));
