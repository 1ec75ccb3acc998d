// RabbitMQ's boot and shutdown alone, as mkdev's default stack runs it (same container options, same
// readiness probes polled every 25 ms), on the image set an image map names:
//   node bench/rabbitmq-lifecycle.ts [--images map.yaml] [--reps 5] [--debug-reps 1]
// Boot: container start -> management API /api/health/checks/alarms 200 and AMQP port 5672 open.
// Shutdown: `docker stop` (SIGTERM, 30 s grace so a slow stop is never cut short) until it returns,
// then where that time went, from the broker's log lines after the stop request. --debug-reps adds
// runs with RABBITMQ_LOG=debug, whose finer log shows what the longest pause follows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type Docker from 'dockerode';
import { demuxToText } from '../src/engine/container-ops.ts';
import { createDockerClient } from '../src/engine/docker-client.ts';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { volumeName } from '../src/engine/names.ts';
import { ensureNetwork, ensureVolume } from '../src/engine/network.ts';
import { tearDown } from '../src/project/tear-down.ts';
import { loadStack } from '../src/stack/load-stack.ts';
import { emitFigures } from './lib/figures-file.ts';
import { createService, untilReady } from './lib/lower-bound.ts';
import { breakdown, parseTimestamped, type ShutdownBreakdown } from './lib/shutdown-log.ts';
import { seconds, spread, summarize } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: join(ROOT, 'images', 'offline-image-map.yaml') },
    reps: { type: 'string', default: '5' },
    'debug-reps': { type: 'string', default: '1' },
  },
});
const docker = createDockerClient();
const runId = `${Date.now().toString(36).slice(-5)}${process.pid % 100}`;
const log = (line: string) => process.stderr.write(`rabbitmq-lifecycle: ${line}\n`);

interface Run {
  readonly bootMs: number;
  /** The broker's own "Time to start RabbitMQ" (its boot steps, after the VM and CLI scripts). */
  readonly selfReportedMs?: number;
  readonly stopMs: number;
  readonly shutdown: ShutdownBreakdown;
  readonly version?: string;
}

async function timestampedLogs(container: Docker.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, timestamps: true })) as unknown as Buffer;
  return demuxToText(raw);
}

async function once(tag: string, extraEnv: Record<string, string>): Promise<Run> {
  const project = `brq-${runId}-${tag}`;
  const stateDir = mkdtempSync(join(tmpdir(), `${project}-`));
  try {
    const stack = await loadStack({
      cwd: stateDir,
      project,
      images: values.images,
      stateDir,
      freePorts: true,
    });
    await ensureNetwork(docker, project);
    for (const v of stack.volumes) await ensureVolume(docker, project, volumeName(project, v));
    const container = await createService(docker, stack, 'rabbitmq', extraEnv);
    const started = performance.now();
    await container.start();
    await untilReady(
      new DockerConnection(docker).project(project),
      stack,
      'rabbitmq',
      container,
      AbortSignal.timeout(300_000),
    );
    const bootMs = performance.now() - started;
    const stopAt = Date.now();
    const stopStarted = performance.now();
    await container.stop({ t: 30 });
    const stopMs = performance.now() - stopStarted;
    const finishedAt = Date.parse((await container.inspect()).State.FinishedAt);
    const text = await timestampedLogs(container);
    const selfReported = /Time to start RabbitMQ: (\d+) ms/.exec(text)?.[1];
    const version = /Starting RabbitMQ (\S+) on Erlang (\S+)/.exec(text);
    return {
      bootMs,
      stopMs,
      shutdown: breakdown(parseTimestamped(text), stopAt, finishedAt),
      ...(selfReported ? { selfReportedMs: Number(selfReported) } : {}),
      ...(version ? { version: `RabbitMQ ${version[1]}, Erlang ${version[2]}` } : {}),
    };
  } finally {
    await tearDown(new DockerConnection(docker).project(project), { volumes: true }).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (let rep = 1; rep <= Number(values.reps); rep++) {
  const run = await once(String(rep), {});
  runs.push(run);
  log(`rep ${rep}: boot ${seconds(run.bootMs)}, stop ${seconds(run.stopMs)}`);
}
const debugRuns: Run[] = [];
for (let rep = 1; rep <= Number(values['debug-reps']); rep++) {
  debugRuns.push(await once(`d${rep}`, { RABBITMQ_LOG: 'debug' }));
}

const pickAll = (pick: (run: Run) => number | undefined) =>
  runs.flatMap((run) => (pick(run) === undefined ? [] : [pick(run) as number]));
emitFigures({
  boot: pickAll((r) => r.bootMs),
  'boot, self-reported': pickAll((r) => r.selfReportedMs),
  'docker stop': pickAll((r) => r.stopMs),
  'last log line -> exit': pickAll((r) => r.shutdown.afterLastLineMs),
});
const of = (pick: (run: Run) => number | undefined, from = runs) =>
  spread(summarize(from.flatMap((run) => (pick(run) === undefined ? [] : [pick(run) as number]))));
const load = (await import('node:os')).loadavg().map((v) => v.toFixed(2));
const lines = [
  `Image map: ${values.images}; ${runs[0]?.version ?? 'version not found in the log'}; load average at the end: ${load.join(' ')}`,
  '',
  '| measure | median (min – max, n) |',
  '| --- | --- |',
  `| boot: container start -> alarms 200 and AMQP port open | ${of((r) => r.bootMs)} |`,
  `|    the broker's own "Time to start RabbitMQ" | ${of((r) => r.selfReportedMs)} |`,
  `| shutdown: \`docker stop\` (SIGTERM) until it returns | ${of((r) => r.stopMs)} |`,
  `|    stop request -> first log line ("SIGTERM received") | ${of((r) => r.shutdown.toFirstLineMs)} |`,
  `|    first -> last log line of the shutdown | ${of((r) => r.shutdown.loggedMs)} |`,
  `|    last log line -> exit (engine's FinishedAt) | ${of((r) => r.shutdown.afterLastLineMs)} |`,
  `|    longest silence during the shutdown | ${of((r) => r.shutdown.longestGapMs)} |`,
  '',
  ...[...runs, ...debugRuns].map(
    (run, i) =>
      `- ${i < runs.length ? `rep ${i + 1}` : `debug rep ${i - runs.length + 1} (RABBITMQ_LOG=debug)`}: stop ${seconds(run.stopMs)}, longest silence ${seconds(run.shutdown.longestGapMs)} after: ${run.shutdown.longestGapAfter.slice(0, 160)}`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
