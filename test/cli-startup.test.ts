// What the CLI loads before it does anything. The CLI is a bundle (scripts/build-cli.ts): a command
// loads the entry and its own chunks, and the bundle's meta.json says which modules each chunk holds.
// A heavy import on a short command's path (dockerode's gRPC and protobufjs, ssh2, undici: ~0.1 s and
// ~30 MiB together) slows the commands people type dozens of times a day.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../src/stack/load-stack.ts';
import { BIN, ROOT } from './support/cli.ts';

const TRACE = join(tmpdir(), `mkdev-trace-imports-${process.pid}.mjs`);
writeFileSync(
  TRACE,
  `import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    process.stderr.write('IMPORT ' + result.url + '\\n');
    return result;
  },
});
`,
);

interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
const BUNDLE = join(ROOT, 'dist', 'cli-bundle');

const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];

/** The packages a command loaded, by name: bundled into the chunks it imported, or required at run time. */
async function packagesLoadedBy(
  args: readonly string[],
  cwd?: string,
  env: Record<string, string> = {},
): Promise<string[]> {
  const run = await execa(process.execPath, ['--import', TRACE, BIN, ...args], {
    reject: false,
    all: false,
    cwd,
    env,
  });
  const meta = JSON.parse(readFileSync(join(BUNDLE, 'meta.json'), 'utf8')) as Metafile;
  const urls = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('IMPORT file://'))
    .map((line) => fileURLToPath(line.slice('IMPORT '.length)));
  const names = urls.flatMap((file) => {
    if (file.startsWith(`${BUNDLE}/`)) {
      const inputs = meta.outputs[`dist/cli-bundle/${file.slice(BUNDLE.length + 1)}`]?.inputs ?? {};
      return Object.keys(inputs).map(packageOf);
    }
    return [packageOf(file)];
  });
  return [...new Set(names.filter((n): n is string => n !== undefined))].sort();
}

/** A project whose mkdev.yaml is invalid: every command stops there, after loading its modules. */
const brokenProject = mkdtempSync(join(tmpdir(), 'mkdev-startup-'));
writeFileSync(join(brokenProject, 'mkdev.yaml'), 'services: [not, a, map]\n');

/** Loaded only by the commands that use them. */
const HEAVY = [
  '@grpc/grpc-js',
  'protobufjs',
  'ssh2',
  'undici',
  'listr2',
  'amqplib',
  '@kubernetes/client-node',
  'testcontainers',
];

describe('start-up', () => {
  it('mkdev --help loads no package', async () => {
    expect(await packagesLoadedBy(['--help'])).toEqual([]);
  });

  it('mkdev --help, -v and up --help load none of the bundle (answers.json holds them)', async () => {
    for (const args of [['--help'], ['-v'], ['up', '--help']]) {
      const run = await execa(process.execPath, ['--import', TRACE, BIN, ...args], { all: false });
      expect(run.stdout).not.toBe('');
      expect(run.stderr.split('\n').filter((line) => line.includes('/dist/cli-bundle/'))).toEqual([]);
    }
  });

  it('a usage error is printed without loading the engine client', async () => {
    const loaded = await packagesLoadedBy(['up', '--nope']);
    expect(loaded).not.toContain('dockerode');
    expect(loaded).not.toContain('undici');
  });

  it('the trace sees packages inside the bundle: `routes` loads undici', async () => {
    // Guards the test itself: were the meta.json lookup broken, the lists below would be empty.
    const loaded = await packagesLoadedBy(['routes'], brokenProject);
    expect(loaded).toEqual(expect.arrayContaining(['dockerode', 'undici', 'yaml', 'zod']));
  });

  it.each([['status'], ['env'], ['up']])('`%s` loads none of the heavy packages', async (command) => {
    // The command loads its whole static graph, then stops at the project's invalid mkdev.yaml.
    const loaded = await packagesLoadedBy([command], brokenProject);
    expect(loaded).toContain('dockerode');
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('in a project with a mkdev.yaml, `status` and `up` answer from the cached stack: no YAML parser, no schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-startup-cached-'));
    writeFileSync(join(dir, 'mkdev.yaml'), 'name: cached\n');
    // Its secrets on file, as an `up` leaves them: only then is the stack kept.
    await loadStack({ cwd: dir });
    // No engine answers: each command stops at it, after the stack (and, for up, the lock's name).
    const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    try {
      expect(await packagesLoadedBy(['status'], dir, env)).toEqual(expect.arrayContaining(['yaml', 'zod']));
      for (const command of ['status', 'up']) {
        const loaded = await packagesLoadedBy([command], dir, env);
        expect(loaded).toContain('dockerode');
        expect(loaded.filter((p) => p === 'yaml' || p === 'zod')).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
