// One side of one repetition of the cold-pull bench (bench/lib/cold-pull.ts), run inside the fresh
// machine (scripts/fresh-machine/cold-machine.sh) against its own engine, which starts with no image and
// pulls through its registry mirror. Prints one JSON line of figures (ms) on stdout.
//   node bench/lib/cold-pull-inside.ts mkdev|compose <project>
// mkdev: `mkdev up --json` with no image map (every image by its official name) until all ready.
// compose: `mkdev export compose`, then `docker-compose pull`, then `up -d` until all healthy
// (compose-run.ts). Either way the stack is removed with its volumes, then every image of the engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDockerClient } from '../../src/engine/docker-client.ts';
import type { ServiceTimeline } from '../../src/plan/events.ts';
import { freeHostPortsEnv } from '../../src/stack/port-variables.ts';
import { composeUpToReady } from './compose-run.ts';
import { mustSucceed, runTimed } from './process.ts';
import { lastJson } from './scenario-context.ts';

const BIN = fileURLToPath(new URL('../../bin/mkdev.js', import.meta.url));
const [side, project] = process.argv.slice(2);
if ((side !== 'mkdev' && side !== 'compose') || project === undefined) {
  process.stderr.write('usage: cold-pull-inside.ts mkdev|compose <project>\n');
  process.exit(2);
}
// No MKDEV_IMAGES: the official names, as on a user's laptop.
const env: Record<string, string> = { NO_COLOR: '1', ...freeHostPortsEnv() };
delete process.env.MKDEV_IMAGES;
const docker = createDockerClient();
const mkdev = (args: readonly string[], cwd: string) =>
  runTimed(process.execPath, [BIN, ...args], { cwd, env, timeoutMs: 900_000 });

/** Cold means cold: an engine with an image would pull less than a user's first day. */
async function assertNoImages(): Promise<void> {
  const images = await docker.listImages({ all: true });
  if (images.length > 0) {
    throw new Error(`the engine is not cold: ${images.flatMap((i) => i.RepoTags ?? [i.Id]).join(', ')}`);
  }
}

async function removeAllImages(): Promise<void> {
  for (const image of await docker.listImages({ all: true })) {
    await docker.getImage(image.Id).remove({ force: true });
  }
  await assertNoImages();
}

/** From `up --json`'s timeline: when the pulls ran and when the first container started (ms of its run). */
function pullWindow(timeline: Record<string, ServiceTimeline>) {
  const values = Object.values(timeline);
  const of = (pick: (t: ServiceTimeline) => number | undefined) =>
    values.flatMap((t) => (pick(t) === undefined ? [] : [pick(t) as number]));
  const starts = of((t) => t.imageStart);
  const ends = of((t) => t.imageEnd);
  const firstStart = Math.min(...of((t) => t.startAt));
  const lastReady = Math.max(...of((t) => t.readyAt));
  const firstPull = Math.min(...starts);
  const lastPull = Math.max(...ends);
  return { pullMs: lastPull - firstPull, firstStartMs: firstStart - firstPull, lastReadyMs: lastReady };
}

interface SideResult {
  readonly figures: Record<string, number>;
  /** Per service, ms from the start of the side's own run: mkdev's timeline, Compose's ready times. */
  readonly timeline: Record<string, ServiceTimeline> | Record<string, number>;
}

async function mkdevSide(cwd: string): Promise<SideResult> {
  const up = mustSucceed('mkdev up', await mkdev(['up', '--json', '-p', project as string], cwd));
  const summary = lastJson(up.stdout) as { totalMs: number; timeline: Record<string, ServiceTimeline> };
  try {
    const w = pullWindow(summary.timeline);
    return {
      figures: {
        'mkdev up': up.ms,
        'mkdev pull part': w.pullMs,
        'mkdev first start after the first pull began': w.firstStartMs,
        // Node's start, observing the engine, planning, preflight (the registry asked about each
        // image), and the summary: what the process spends outside the execution's timeline.
        'mkdev outside its execution': up.ms - w.lastReadyMs,
      },
      timeline: summary.timeline,
    };
  } finally {
    mustSucceed('mkdev down -v', await mkdev(['down', '-v', '-p', project as string], cwd));
  }
}

async function composeSide(cwd: string): Promise<SideResult> {
  const file = join(cwd, 'compose.yaml');
  mustSucceed(
    'mkdev export compose',
    await mkdev(['export', 'compose', '-o', file, '-p', project as string], cwd),
  );
  try {
    const pull = mustSucceed(
      'docker-compose pull',
      await runTimed('docker-compose', ['-p', project as string, '-f', file, 'pull', '-q'], {
        timeoutMs: 900_000,
      }),
    );
    const up = await composeUpToReady(docker, project as string, file);
    return {
      figures: {
        'compose pull': pull.ms,
        'compose up to healthy': up.readyMs,
        'compose total': pull.ms + up.readyMs,
      },
      timeline: up.perService,
    };
  } finally {
    await runTimed('docker-compose', ['-p', project as string, '-f', file, 'down', '-v', '--remove-orphans']);
  }
}

const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
try {
  await assertNoImages();
  const result = side === 'mkdev' ? await mkdevSide(cwd) : await composeSide(cwd);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await removeAllImages();
  rmSync(cwd, { recursive: true, force: true });
}
