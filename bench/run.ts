// `npm run bench`: mkdev against docker-compose and against the critical-path lower bound, on the
// offline image set, alternating scenarios within each repetition. Writes bench/RESULTS.md.
//   node bench/run.ts [--reps N] [--out file]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { startStack } from '../src/testing/index.ts';
import { composeUpToReady } from './lib/compose-run.ts';
import { dailyLoopSection, measureDailyLoop } from './lib/daily-loop.ts';
import { writeSection } from './lib/kept-section.ts';
import { measureLowerBound } from './lib/lower-bound.ts';
import { mustSucceed, runTimed } from './lib/process.ts';
import { type Samples, writeResults } from './lib/report.ts';
import { measureRestore } from './lib/restore-run.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const IMAGES = join(ROOT, 'images', 'offline-image-map.yaml');
/** Every host port engine-chosen, so the bench never collides with a stack someone else runs. */
const ENV: Record<string, string> = {
  MKDEV_IMAGES: IMAGES,
  NO_COLOR: '1',
  ...freeHostPortsEnv(),
};
const QUICK_RUNS = 5;

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    out: { type: 'string' },
    /** `daily-loop`: only the watch/run scenario, spliced into RESULTS.md. */
    only: { type: 'string' },
    edits: { type: 'string', default: '20' },
  },
});
const reps = Number(values.reps);
const out = values.out ?? join(ROOT, 'bench', 'RESULTS.md');
const runId = `${Date.now().toString(36).slice(-5)}${process.pid % 100}`;
const docker = new Docker();
const samples: Samples = {};
const add = (key: string, value: number) => {
  samples[key] = [...(samples[key] ?? []), value];
};
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const mkdev = (args: readonly string[], cwd: string, rss = false) =>
  runTimed(process.execPath, [BIN, ...args], { cwd, env: ENV, rss, timeoutMs: 600_000 });
const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;

// The CLI runs from dist/: build it from this tree first.
const build = await runTimed(
  process.execPath,
  [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: ROOT,
  },
);
if (build.exitCode !== 0)
  log(`tsc reported errors (dist is emitted all the same):\n${build.stdout.slice(0, 2000)}`);
const timelines: unknown[] = [];
const composeTimelines: Record<string, number>[] = [];
const lowerBounds: Awaited<ReturnType<typeof measureLowerBound>>[] = [];

async function mkdevScenario(rep: number): Promise<void> {
  const project = `bm-${runId}-${rep}`;
  const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
  try {
    const up = mustSucceed('mkdev up', await mkdev(['up', '--json', '-p', project], cwd, true));
    add('mkdev up', up.ms);
    if (up.peakRss !== undefined) add('rss', up.peakRss);
    const summary = lastJson(up.stdout);
    timelines.push({ totalMs: summary.totalMs, timeline: summary.timeline });
    // What the process spends outside `up`'s own clock: Node start-up, loading, the engine's first answers.
    if (typeof summary.totalMs === 'number') add('mkdev up outside its own clock', up.ms - summary.totalMs);
    log(
      `rep ${rep}: mkdev up ${(up.ms / 1000).toFixed(1)} s, peak RSS ${((up.peakRss ?? 0) / 2 ** 20).toFixed(0)} MiB`,
    );
    const noop = mustSucceed('no-op mkdev up', await mkdev(['up', '--json', '-p', project], cwd, true));
    if (lastJson(noop.stdout).changed !== false) throw new Error('the second mkdev up changed something');
    add('no-op up', noop.ms);
    if (noop.peakRss !== undefined) add('rss no-op', noop.peakRss);
    for (let i = 0; i < QUICK_RUNS; i++) {
      add('status', mustSucceed('mkdev status', await mkdev(['status', '-p', project], cwd)).ms);
      add('--help', mustSucceed('mkdev --help', await mkdev(['--help'], cwd)).ms);
    }
    const down = mustSucceed('mkdev down', await mkdev(['down', '-p', project], cwd));
    add('down', down.ms);
    log(`rep ${rep}: no-op up ${(noop.ms / 1000).toFixed(2)} s, down ${(down.ms / 1000).toFixed(2)} s`);
  } finally {
    await mkdev(['down', '--volumes', '-p', project], cwd);
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function composeScenario(rep: number): Promise<void> {
  const project = `bc-${runId}-${rep}`;
  const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
  const file = join(cwd, 'compose.yaml');
  try {
    const exported = mustSucceed(
      'mkdev export compose',
      await mkdev(['export', 'compose', '-o', file, '-p', project], cwd),
    );
    add('export', exported.ms);
    const result = await composeUpToReady(docker, project, file);
    add('compose up', result.readyMs);
    add('compose up -d returned', result.upReturnedMs);
    add('compose down -v', result.downMs);
    composeTimelines.push(result.perService);
    log(
      `rep ${rep}: compose ready ${(result.readyMs / 1000).toFixed(1)} s (up -d returned at ${(result.upReturnedMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await runTimed('docker-compose', ['-p', project, '-f', file, 'down', '-v', '--remove-orphans']);
    rmSync(cwd, { recursive: true, force: true });
  }
}

async function lowerBoundScenario(rep: number): Promise<void> {
  const bound = await measureLowerBound(docker, `bl-${runId}-${rep}`, IMAGES);
  add('lower bound', bound.criticalPathMs);
  for (const [name, ms] of Object.entries(bound.alone)) add(`alone ${name}`, ms);
  lowerBounds.push(bound);
  log(`rep ${rep}: lower bound ${(bound.criticalPathMs / 1000).toFixed(1)} s via ${bound.path}`);
}

async function testingScenario(rep: number): Promise<void> {
  // A label unique to this run makes the definition, and so the reusable stack, this run's own.
  const options = {
    images: IMAGES,
    reuse: true,
    extraServices: { registrator: { labels: { 'dev.mkdev.bench': `${runId}-${rep}` } } },
  };
  let started = performance.now();
  const fresh = await startStack(options);
  add('startStack fresh', performance.now() - started);
  await fresh.stop();
  started = performance.now();
  const reused = await startStack(options);
  add('startStack reuse', performance.now() - started);
  await reused.stop({ remove: true });
  for (const ms of await measureRestore(IMAGES, 2)) add('restore', ms);
  log(
    `rep ${rep}: startStack fresh ${((samples['startStack fresh']?.at(-1) ?? 0) / 1000).toFixed(1)} s, reuse ${((samples['startStack reuse']?.at(-1) ?? 0) / 1000).toFixed(2)} s`,
  );
}

async function dailyLoopScenario(): Promise<void> {
  const result = await measureDailyLoop({
    bin: BIN,
    env: ENV,
    project: `bd-${runId}`,
    edits: Number(values.edits),
    log,
  });
  writeSection(
    out,
    dailyLoopSection(result, {
      date: new Date().toISOString(),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    }),
    'bench/lib/daily-loop.ts',
  );
}

if (values.only === 'daily-loop') {
  await dailyLoopScenario();
  log(`wrote the daily-loop section of ${out}`);
  process.exit(0);
}

const startedAt = new Date();
for (let rep = 1; rep <= reps; rep++) {
  // Alternate which of the two full bring-ups goes first, so neither always runs on a warmer engine.
  const order = rep % 2 === 1 ? [mkdevScenario, composeScenario] : [composeScenario, mkdevScenario];
  for (const scenario of [...order, lowerBoundScenario, testingScenario]) await scenario(rep);
}
const finishedAt = new Date();
writeResults(out, {
  samples,
  reps,
  startedAt,
  finishedAt,
  timelines,
  composeTimelines,
  lowerBounds,
  engineVersion: (await docker.version()).Version,
  composeVersion: (await runTimed('docker-compose', ['version', '--short'])).stdout.trim(),
  loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
});
await dailyLoopScenario();
log(`wrote ${out}`);
