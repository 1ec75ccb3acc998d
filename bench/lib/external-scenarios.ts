// The benches that also run on their own (each writes its own section of RESULTS.md), reachable as
// `npm run bench -- --only <name>`: run as a child process with few repetitions, their samples
// read back through MKDEV_BENCH_FIGURES so they land in bench/history.ndjson with the rest.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIGURES_ENV, takeFigures } from './figures-file.ts';
import { mustSucceed, runTimed } from './process.ts';

interface External {
  readonly script: string;
  /** Few repetitions: a scenario run with --only should stay within minutes. */
  readonly args: readonly string[];
}

export const EXTERNAL: Readonly<Record<string, External>> = {
  rabbitmq: { script: 'bench/rabbitmq-lifecycle.ts', args: ['--reps', '3', '--debug-reps', '0'] },
  ui: { script: 'bench/ui-dashboard.ts', args: ['--runs', '5'] },
  crash: { script: 'bench/crash-heal.ts', args: ['--reps', '1'] },
  traces: { script: 'bench/traces.ts', args: ['--reps', '2', '--runs', '5'] },
};

export async function runExternal(
  root: string,
  name: string,
  images: string,
  add: (key: string, value: number) => void,
  log: (line: string) => void,
): Promise<void> {
  const external = EXTERNAL[name];
  if (external === undefined) throw new Error(`no external scenario ${name}`);
  const file = join(tmpdir(), `mkdev-bench-figures-${process.pid}-${name}.json`);
  const args = [...external.args, ...(name === 'rabbitmq' ? ['--images', images] : [])];
  log(`${name}: node ${external.script} ${args.join(' ')}`);
  const result = await runTimed(process.execPath, ['--experimental-strip-types', external.script, ...args], {
    cwd: root,
    env: { MKDEV_IMAGES: images, [FIGURES_ENV]: file },
    timeoutMs: 900_000,
  });
  mustSucceed(external.script, result);
  // rabbitmq-lifecycle prints its table instead of writing a section: show it.
  if (name === 'rabbitmq') process.stderr.write(result.stdout);
  for (const [key, values] of Object.entries(takeFigures(file))) {
    for (const v of values) add(`${name}: ${key}`, v);
  }
}
