// What the CLI loads before it does anything: every command loads the entry point and the error
// printing, so a heavy import there (dockerode pulls in gRPC, protobufjs and ssh2: ~0.5 s) slows every
// invocation. `--help` must load no package at all.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN } from './support/cli.ts';

const TRACE = join(tmpdir(), `mkdev-trace-imports-${process.pid}.mjs`);
writeFileSync(
  TRACE,
  `import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    if (result.url.includes('/node_modules/')) process.stderr.write('IMPORT ' + result.url + '\\n');
    return result;
  },
});
`,
);

/** The packages a command imported, by name. */
async function packagesLoadedBy(args: readonly string[]): Promise<string[]> {
  const run = await execa(process.execPath, ['--import', TRACE, BIN, ...args], { reject: false, all: false });
  const names = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('IMPORT '))
    .map((line) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line)?.[1] ?? line);
  return [...new Set(names)].sort();
}

describe('start-up', () => {
  it('mkdev --help loads no package', async () => {
    expect(await packagesLoadedBy(['--help'])).toEqual([]);
  });

  it('a usage error is printed without loading the engine client', async () => {
    const loaded = await packagesLoadedBy(['up', '--nope']);
    expect(loaded).not.toContain('dockerode');
    expect(loaded).not.toContain('undici');
  });
});
