#!/usr/bin/env node
// Thin launcher: everything else is loaded lazily by the command that needs it. The compile cache
// keeps V8's compiled code on disk, so the second and later runs skip most of the parse cost of
// mkdev's dependencies (measured: no-op `up` and `status` start-up).
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
