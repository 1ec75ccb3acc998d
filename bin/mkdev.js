#!/usr/bin/env node
// Thin launcher for the bundled CLI (scripts/build-cli.ts): an entry and a chunk per command, each
// loaded only when asked for. Help and version (`mkdev --help`, `mkdev up -h`, `mkdev -v`) are
// printed from answers.json, which the build writes from the same command table main() answers from
// (src/cli/answers.ts), so they load no bundle at all. The compile cache keeps V8's compiled code on
// disk, so the second and later runs skip most of the parse cost (measured: no-op `up` and `status`).
import { readFileSync } from 'node:fs';
import module from 'node:module';

const argv = process.argv.slice(2);
const answer =
  argv.length <= 2
    ? JSON.parse(readFileSync(new URL('../dist/cli-bundle/answers.json', import.meta.url), 'utf8'))[
        JSON.stringify(argv)
      ]
    : undefined;
if (answer !== undefined) {
  process.stdout.write(answer.text);
  process.exitCode = answer.exitCode;
} else {
  module.enableCompileCache?.();
  const { main } = await import('../dist/cli-bundle/main.js');
  process.exitCode = await main(argv);
}
