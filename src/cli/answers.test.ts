// The launcher prints help and version from the build's answers.json without loading the bundle; these
// tests hold that it prints what the bundle's main() prints, for every command line the file answers.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type Answer, answerKey, everyAnswer } from './answers.ts';
import { COMMANDS } from './registry.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const BUNDLE_MAIN = pathToFileURL(join(ROOT, 'dist', 'cli-bundle', 'main.js')).href;
const built = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli-bundle', 'answers.json'), 'utf8')) as Record<
  string,
  Answer
>;

async function node(args: readonly string[]): Promise<Answer> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { text: stdout, exitCode: 0 };
  } catch (error) {
    const failed = error as { stdout: string; code: number };
    return { text: failed.stdout, exitCode: failed.code };
  }
}

/** The launcher: answers.json for the lines it holds. */
const launcher = (argv: readonly string[]) => node([BIN, ...argv]);
/** The bundle's main() itself, without the launcher. */
const bundleMain = (argv: readonly string[]) =>
  node([
    '--input-type=module',
    '-e',
    `const { main } = await import(${JSON.stringify(BUNDLE_MAIN)}); process.exitCode = await main(${JSON.stringify(argv)});`,
  ]);

describe('answers.json', () => {
  it('is what the command table answers now (the build wrote it from these specs)', async () => {
    expect(built).toEqual(await everyAnswer());
  });

  it("holds the main help, the version and every command's --help and -h", () => {
    const keys = Object.keys(built);
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['--version'], ['-v']]) {
      expect(keys).toContain(answerKey(argv));
    }
    for (const name of Object.keys(COMMANDS)) {
      expect(built[answerKey([name, '--help'])]?.text).toContain(`Usage: mkdev ${name}`);
      expect(built[answerKey([name, '-h'])]).toEqual(built[answerKey([name, '--help'])]);
    }
    expect(built[answerKey([])]?.exitCode).toBe(2);
  });

  it.each(Object.keys(built).map((key) => [key]))(
    'the launcher prints for %s what the bundle main() prints',
    async (key) => {
      const argv = JSON.parse(key) as string[];
      const [fromLauncher, fromMain] = await Promise.all([launcher(argv), bundleMain(argv)]);
      expect(fromLauncher).toEqual(fromMain);
      expect(fromLauncher).toEqual(built[key]);
    },
  );

  it('a help line the file does not hold is answered by the bundle, with the same text', async () => {
    const fromBundle = await launcher(['up', '-p', 'x', '--help']);
    expect(fromBundle).toEqual(built[answerKey(['up', '--help'])]);
  });

  it('an unknown command with --help is still a usage error', async () => {
    expect((await launcher(['nope', '--help'])).exitCode).toBe(2);
  });
});
