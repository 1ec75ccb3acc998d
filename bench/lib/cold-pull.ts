// The cold-pull scenario (`npm run bench -- --only cold-pull`): a first `up` on an engine that has none
// of the stack's images, pulling every one by its official name from a local registry, against Compose
// on the exported file (`docker-compose pull`, then `up -d` until all healthy) from the same registry.
// The host engine holds the whole offline set, so both run on a fresh machine's engine (Docker in
// Docker, scripts/fresh-machine/cold-machine.sh); each side runs in there (cold-pull-inside.ts) and
// leaves the engine with no image again. Repetitions alternate which side goes first.
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { writeSection } from './kept-section.ts';
import { mustSucceed, runTimed } from './process.ts';
import { lastJson, type ScenarioContext } from './scenario-context.ts';
import { STAND_IN_LEGEND } from './stand-in-figures.ts';
import { type Summary, seconds, summarize } from './stats.ts';

/** Where the fresh machine sees this tree (cold-machine.sh mounts it there, read-only). */
const MOUNTED = '/root/mkdev';
type Side = 'mkdev' | 'compose';

interface Rep {
  readonly rep: number;
  readonly order: readonly Side[];
  readonly figures: Record<string, number>;
  readonly mkdevTimeline: Record<string, Record<string, number>>;
  readonly composeReady: Record<string, number>;
}

export interface ColdPullOptions {
  readonly root: string;
  readonly reps: number;
  /** RESULTS.md: the scenario writes its own section. */
  readonly out: string;
}

export async function coldPullScenario(
  ctx: ScenarioContext,
  { root, reps, out }: ColdPullOptions,
): Promise<void> {
  // The machine runs this tree's Node: it must live in the tree (scripts/prepare.sh puts it in .cache/).
  const node = relative(root, process.execPath);
  if (node.startsWith('..')) {
    throw new Error(
      `cold-pull runs ${process.execPath} inside the fresh machine: use the Node of scripts/ensure-node.sh under ${root}`,
    );
  }
  const id = `cold-pull-${ctx.runId}`;
  const script = `${root}/scripts/fresh-machine/cold-machine.sh`;
  const loadBefore = loadAverage();
  ctx.log(`cold-pull: starting the fresh machine fresh-machine-${id}`);
  const started = mustSucceed(
    'cold-machine.sh start',
    await runTimed(script, ['start', id], { timeoutMs: 1_200_000 }),
  );
  const container = started.stdout.trim();
  const results: Rep[] = [];
  try {
    for (let rep = 1; rep <= reps; rep++) {
      const order: Side[] = rep % 2 === 1 ? ['mkdev', 'compose'] : ['compose', 'mkdev'];
      const figures: Record<string, number> = {};
      let mkdevTimeline = {};
      let composeReady = {};
      for (const side of order) {
        const run = mustSucceed(
          `cold-pull ${side} (rep ${rep})`,
          await runTimed(
            'docker',
            [
              'exec',
              '-w',
              '/root',
              container,
              `${MOUNTED}/${node}`,
              `${MOUNTED}/bench/lib/cold-pull-inside.ts`,
              side,
              `${id}-${side}-${rep}`,
            ],
            { timeoutMs: 1_200_000 },
          ),
        );
        const result = lastJson(run.stdout) as { figures: Record<string, number>; timeline: object };
        Object.assign(figures, result.figures);
        if (side === 'mkdev') mkdevTimeline = result.timeline;
        else composeReady = result.timeline;
      }
      for (const [key, ms] of Object.entries(figures)) ctx.add(`cold-pull: ${key}`, ms);
      results.push({ rep, order, figures, mkdevTimeline, composeReady });
      ctx.log(
        `cold-pull rep ${rep}: mkdev up ${seconds(figures['mkdev up'] ?? Number.NaN)} (pulls ${seconds(figures['mkdev pull part'] ?? Number.NaN)}), Compose ${seconds(figures['compose total'] ?? Number.NaN)} (pull ${seconds(figures['compose pull'] ?? Number.NaN)} + up ${seconds(figures['compose up to healthy'] ?? Number.NaN)}); load ${loadAverage()}`,
      );
    }
  } finally {
    await runTimed(script, ['stop', id], { timeoutMs: 300_000 });
  }
  writeSection(
    out,
    coldPullSection(results, { date: new Date().toISOString(), loadBefore, loadAfter: loadAverage() }),
    'bench/lib/cold-pull.ts',
  );
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const GOAL = 0.8;
const FIGURES: [string, string][] = [
  ['mkdev up', '`mkdev up` (no image map), nothing to all ready: process wall time'],
  ['mkdev pull part', '   its pulls: first pull began -> last image pulled (its --json timeline)'],
  [
    'mkdev first start after the first pull began',
    '   its first container start, after the first pull began',
  ],
  ['mkdev outside its execution', '   outside its execution: start-up, observe, plan, preflight, summary'],
  ['compose pull', '`docker-compose pull` on the exported file'],
  ['compose up to healthy', '`docker-compose up -d` to all healthy, jobs exited 0, Kong ready'],
  ['compose total', 'Compose: pull + up to healthy'],
];

const cell = (x: Summary | undefined) =>
  x === undefined ? 'n/a' : `${seconds(x.median)} (${seconds(x.min)} – ${seconds(x.max)})`;

function medianOf(rows: readonly Record<string, number | undefined>[], key: string): number | undefined {
  return summarize(rows.flatMap((r) => (r[key] === undefined ? [] : [r[key] as number])))?.median;
}

export function coldPullSection(
  reps: readonly Rep[],
  meta: { date: string; loadBefore: string; loadAfter: string },
): string {
  const column = (key: string) => reps.map((r) => r.figures[key]).filter((v): v is number => v !== undefined);
  const rows = FIGURES.map(
    ([key, label]) =>
      `| ${label} | ${cell(summarize(column(key)))} | ${column(key).map(seconds).join(', ')} |`,
  );
  const mkdev = summarize(column('mkdev up'))?.median;
  const compose = summarize(column('compose total'))?.median;
  const ratio = mkdev !== undefined && compose ? mkdev / compose : undefined;
  const paired = reps.map(
    (r) =>
      `${((r.figures['mkdev up'] as number) / (r.figures['compose total'] as number)).toFixed(2)} (${r.order[0]} first)`,
  );
  const services = Object.keys(reps[0]?.mkdevTimeline ?? {});
  const field = (service: string, name: string) =>
    medianOf(
      reps.map((r) => r.mkdevTimeline[service] ?? {}),
      name,
    );
  const composeReady = (service: string) =>
    medianOf(
      reps.map((r) => r.composeReady),
      service,
    );
  const opt = (ms: number | undefined) => (ms === undefined ? '-' : seconds(ms));
  const perService = services
    .sort((a, b) => (field(a, 'readyAt') ?? 0) - (field(b, 'readyAt') ?? 0))
    .map(
      (n) =>
        `| ${n} | ${opt(field(n, 'imageStart'))} – ${opt(field(n, 'imageEnd'))} | ${opt(field(n, 'startAt'))} | ${opt(field(n, 'readyAt'))} | ${opt(composeReady(n))} |`,
    );
  return `## Cold pull: the first \`up\` on an engine with no image

Written by \`npm run bench -- --only cold-pull\` (bench/lib/cold-pull.ts), ${meta.date}, ${reps.length}
repetitions alternating which side goes first; load average before: ${meta.loadBefore}, after: ${meta.loadAfter}.
A fresh machine's own engine (Docker in Docker, scripts/fresh-machine/cold-machine.sh; engine 26.1)
whose registry mirror, on its loopback, serves the offline set under the official names; each side
starts with no image in that engine and ends with the stack removed (\`down -v\`) and every image
removed. mkdev: \`mkdev up --json\` with no image map. Compose: Debian 13's \`docker-compose\` (2.26)
on \`mkdev export compose\`'s file, \`pull\`, then \`up -d\` until all healthy (bench/lib/compose-run.ts).
The images are the offline set's (Kong and Consul stand-ins; 1.5 GB as the engine lists them, base
layers shared), not Docker
Hub's, and the registry is on the same machine: the pulls measure the engine's download, extraction
and registration of layers, not a network.

${STAND_IN_LEGEND}

| figure | median (min – max) | per repetition |
| --- | --- | --- |
${rows.join('\n')}

**mkdev / Compose (cold): ${ratio === undefined ? 'n/a' : ratio.toFixed(2)}** (per repetition ${paired.join(', ')}); goal (issue 25) <= ${GOAL}: ${ratio === undefined ? 'not measured' : ratio <= GOAL ? 'met' : 'not met'}.

Per service, median over repetitions, ms from the start of mkdev's execution (its --json timeline)
and, for Compose, from the start of \`up -d\` (after its pull, polled every 250 ms):

| service | mkdev: image pulled (from – to) | mkdev: starting at | mkdev: ready at | Compose: ready at (after pull) |
| --- | --- | --- | --- | --- |
${perService.join('\n')}`;
}
