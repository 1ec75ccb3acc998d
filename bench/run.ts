// `npm run bench`: mkdev against docker-compose and against the critical-path lower bound, on the
// offline image set, alternating scenarios within each repetition. Writes bench/RESULTS.md and
// appends the run to bench/history.ndjson.
//   node bench/run.ts [--reps N] [--out file] [--only scenario[,scenario...]]
// Scenarios: mkdev, compose, lower-bound, testing, restore, daily-loop [--edits N] (the default
// run); with --only also startup, warm, scale [--sizes 1,10,30], cold-pull (a first `up` pulling every
// image, against Compose, on a fresh machine's engine: minutes), fresh-machine (scripts/fresh-machine.sh
// step by step: minutes), and rabbitmq, ui, crash, traces (the
// benches that also run alone).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDockerClient } from '../src/engine/docker-client.ts';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { startStack } from '../src/testing/index.ts';
import { coldPullScenario } from './lib/cold-pull.ts';
import { composeUpToReady } from './lib/compose-run.ts';
import { dailyLoopSection, measureDailyLoop } from './lib/daily-loop.ts';
import { EXTERNAL, runExternal } from './lib/external-scenarios.ts';
import { freshMachineScenario } from './lib/fresh-machine-run.ts';
import { appendHistory, makeEntry, readHistory } from './lib/history.ts';
import { writeSection } from './lib/kept-section.ts';
import { measureLowerBound } from './lib/lower-bound.ts';
import { mustSucceed, runTimed } from './lib/process.ts';
import { type Samples, writeResults } from './lib/report.ts';
import { measureRestore } from './lib/restore-run.ts';
import { SCALE_SIZES, scaleScenario } from './lib/scale-scenario.ts';
import { lastJson, type ScenarioContext } from './lib/scenario-context.ts';
import { startupScenario } from './lib/startup-scenario.ts';
import { warmScenario } from './lib/warm-scenario.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const IMAGES = process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml');
const HISTORY = join(ROOT, 'bench', 'history.ndjson');
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
    only: { type: 'string' },
    /** daily-loop: how many edits it times. */
    edits: { type: 'string', default: '20' },
    history: { type: 'string', default: HISTORY },
    sizes: { type: 'string', default: SCALE_SIZES.join(',') },
  },
});
const reps = Number(values.reps);
const out = values.out ?? join(ROOT, 'bench', 'RESULTS.md');
const runId = `${Date.now().toString(36).slice(-5)}${process.pid % 100}`;
const docker = createDockerClient();
const samples: Samples = {};
const add = (key: string, value: number) => {
  samples[key] = [...(samples[key] ?? []), value];
};
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const mkdev = (args: readonly string[], cwd: string, rss = false) =>
  runTimed(process.execPath, [BIN, ...args], { cwd, env: ENV, rss, timeoutMs: 600_000 });

// The CLI runs from dist/: build it from this tree first, as `npm run build` does.
const build = await runTimed(process.execPath, [join(ROOT, 'scripts/build.ts')], { cwd: ROOT });
if (build.exitCode !== 0) throw new Error(`the build failed:\n${build.stdout.slice(0, 2000)}`);
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
  log(
    `rep ${rep}: startStack fresh ${((samples['startStack fresh']?.at(-1) ?? 0) / 1000).toFixed(1)} s, reuse ${((samples['startStack reuse']?.at(-1) ?? 0) / 1000).toFixed(2)} s`,
  );
}

/** The watch/run loop (bench/lib/daily-loop.ts): its own section of RESULTS.md, its samples in the history. */
async function dailyLoopScenario(): Promise<void> {
  const result = await measureDailyLoop({
    bin: BIN,
    env: ENV,
    project: `bd-${runId}`,
    edits: Number(values.edits),
    log,
  });
  for (const [key, values] of Object.entries(result)) {
    for (const v of values) add(`daily-loop: ${key}`, v);
  }
  writeSection(
    out,
    dailyLoopSection(result, {
      date: new Date().toISOString(),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    }),
    'bench/lib/daily-loop.ts',
  );
}

async function restoreScenario(): Promise<void> {
  for (const ms of await measureRestore(IMAGES, 2)) add('restore', ms);
  log(`restore ${(samples.restore ?? []).map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
}

const context: ScenarioContext = { runId, mkdev, add, log };
const INTERNAL: Record<string, (rep: number) => Promise<void>> = {
  mkdev: mkdevScenario,
  compose: composeScenario,
  'lower-bound': lowerBoundScenario,
  testing: testingScenario,
  restore: restoreScenario,
  startup: (rep) => startupScenario(context, rep),
  warm: (rep) => warmScenario(context, docker, rep),
  scale: (rep) =>
    scaleScenario(context, rep, { docker, images: IMAGES }, values.sizes.split(',').map(Number)),
};
/** Scenarios run once per bench run, not per repetition (cold-pull repeats itself on its own machine). */
const ONCE: Record<string, () => Promise<void>> = {
  'daily-loop': dailyLoopScenario,
  'cold-pull': () => coldPullScenario(context, { root: ROOT, reps, out }),
  'fresh-machine': () => freshMachineScenario(context, ROOT),
};
const known = [...Object.keys(INTERNAL), ...Object.keys(ONCE), ...Object.keys(EXTERNAL)];
// warm, scale, cold-pull and fresh-machine take minutes each: only when asked for.
const DEFAULT = ['mkdev', 'compose', 'lower-bound', 'testing', 'restore', 'daily-loop'];
const chosen = values.only === undefined ? DEFAULT : values.only.split(',').map((s) => s.trim());
const unknown = chosen.filter((c) => !known.includes(c));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}\n`);
  process.exit(2);
}

// Prerequisites first, with what to install, not a spawn error halfway through the run.
const compose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
const composeVersion =
  compose.error === undefined && compose.status === 0 ? compose.stdout.trim() : undefined;
if (composeVersion === undefined && chosen.includes('compose')) {
  process.stderr.write(
    "bench: the 'compose' scenario needs docker-compose on PATH (Debian: apt-get install docker-compose; scripts/test.sh installs it), or leave it out with --only\n",
  );
  process.exit(2);
}

const startedAt = new Date();
for (let rep = 1; rep <= reps; rep++) {
  // Alternate which of the two full bring-ups goes first, so neither always runs on a warmer engine.
  const both = rep % 2 === 1 ? ['mkdev', 'compose'] : ['compose', 'mkdev'];
  const order = [...both, ...Object.keys(INTERNAL).filter((n) => !both.includes(n))];
  for (const name of order.filter((n) => chosen.includes(n))) await INTERNAL[name]?.(rep);
}
// The benches that also run alone repeat themselves: once per bench run. One that fails is reported
// and the run goes on, so the figures already measured are still written (the exit code says it).
const failedScenarios: string[] = [];
const guarded = async (name: string, run: () => Promise<void>) => {
  try {
    await run();
  } catch (error) {
    failedScenarios.push(name);
    process.stderr.write(
      `bench: scenario ${name} failed: ${error instanceof Error ? error.message : error}\n`,
    );
  }
};
for (const name of chosen.filter((n) => n in ONCE)) await guarded(name, async () => ONCE[name]?.());
for (const name of chosen.filter((n) => n in EXTERNAL))
  await guarded(name, () => runExternal(ROOT, name, IMAGES, add, log));
const finishedAt = new Date();
const engineVersion = (await docker.version()).Version;
const history = readHistory(values.history);
const entry = makeEntry(ROOT, startedAt, engineVersion, chosen, samples);
writeResults(out, {
  samples,
  reps,
  scenarios: chosen,
  history,
  entry,
  startedAt,
  finishedAt,
  timelines,
  composeTimelines,
  lowerBounds,
  engineVersion,
  composeVersion: composeVersion ?? 'not installed',
  loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
});
appendHistory(values.history, entry);
log(`wrote ${out} and a line of ${values.history}`);
if (failedScenarios.length > 0) {
  process.stderr.write(`bench: failed: ${failedScenarios.join(', ')} (their figures are missing)\n`);
  process.exitCode = 1;
}
