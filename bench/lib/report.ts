// bench/RESULTS.md: the machine, every scenario's median and spread, the ratios, and the goals.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { type HistoryEntry, type Latest, latestFigures } from './history.ts';
import { type Goal, warmAndScaleGoals } from './scale-goals.ts';
import { dependsOnStandIns, marked, STAND_IN_LEGEND, STAND_IN_MARK } from './stand-in-figures.ts';
import { type Summary, seconds, spread, summarize } from './stats.ts';

export type Samples = Record<string, number[]>;

export interface Results {
  readonly samples: Samples;
  readonly reps: number;
  readonly scenarios: readonly string[];
  /** The earlier runs (bench/history.ndjson), oldest first, and this run's line. */
  readonly history: readonly HistoryEntry[];
  readonly entry: HistoryEntry;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly timelines: readonly unknown[];
  readonly composeTimelines: readonly Record<string, number>[];
  readonly lowerBounds: readonly { alone: Record<string, number>; criticalPathMs: number; path: string }[];
  readonly engineVersion: string;
  readonly composeVersion: string;
  readonly loadAverage: string;
}

const opt = (ms: number | undefined) => (ms === undefined ? '-' : seconds(ms));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Ratios of medians, and the range of the per-repetition ratios (the reps are paired by index). */
function ratio(samples: Samples, a: string, b: string) {
  const x = samples[a] ?? [];
  const y = samples[b] ?? [];
  const ma = summarize(x)?.median;
  const mb = summarize(y)?.median;
  const paired = x.slice(0, y.length).map((v, i) => v / (y[i] as number));
  return { median: ma !== undefined && mb ? ma / mb : undefined, paired: summarize(paired) };
}

function medianPerService(rows: readonly Record<string, number>[]): Record<string, number> {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(
    names.map((n) => [
      n,
      summarize(rows.flatMap((r) => (r[n] === undefined ? [] : [r[n] as number])))?.median ?? 0,
    ]),
  );
}

const isBytes = (key: string) => key.startsWith('rss');

/** A figure's cell: its latest value (dated when an earlier run measured it), then its history. */
function cells(latest: Latest | undefined, unit: (v: number) => string): [string, string] {
  if (latest === undefined) return ['n/a', '-'];
  const when = latest.from ? ` (run of ${latest.from.date.slice(0, 16)}, ${latest.from.commit})` : '';
  const previous = latest.previous.length === 0 ? '-' : latest.previous.map(unit).join(', ');
  return [`${spread(latest.summary, unit)}${when}`, previous];
}

export function writeResults(file: string, r: Results): void {
  const latest = latestFigures(r.history, r.entry);
  const s = (key: string): Summary | undefined => latest.get(key)?.summary;
  const row = (label: string, key: string) => {
    const [now, before] = cells(latest.get(key), isBytes(key) ? mib : seconds);
    return `| ${marked(label, dependsOnStandIns(key))} | ${now} | ${before} |`;
  };
  const r13 = ratio(r.samples, 'mkdev up', 'lower bound');
  const r12 = ratio(r.samples, 'mkdev up', 'compose up');
  const fmtRatio = (x: ReturnType<typeof ratio>) =>
    x.median === undefined
      ? 'n/a'
      : `${x.median.toFixed(2)} (per rep ${x.paired?.min.toFixed(2)} – ${x.paired?.max.toFixed(2)})`;
  const goals: Goal[] = [
    {
      what: '1/3 (mkdev up / lower bound) <= 1.15',
      value: r13.median,
      limit: 1.15,
      show: (v) => v.toFixed(2),
    },
    { what: '1/2 (mkdev up / compose) <= 0.6', value: r12.median, limit: 0.6, show: (v) => v.toFixed(2) },
    { what: 'no-op up < 0.4 s (issue 15)', value: s('no-op up')?.median, limit: 400, show: seconds },
    { what: 'down < 3 s', value: s('down')?.median, limit: 3000, show: seconds },
    { what: 'reuse < 1 s', value: s('startStack reuse')?.median, limit: 1000, show: seconds },
    { what: '--help < 0.1 s (issue 15)', value: s('--help')?.median, limit: 100, show: seconds },
    { what: 'status < 0.3 s (issue 15)', value: s('status')?.median, limit: 300, show: seconds },
    { what: 'peak RSS of up < 100 MB (issue 15)', value: s('rss')?.median, limit: 100e6, show: mib },
    ...warmAndScaleGoals(s),
  ];
  const rows: [string, string][] = [
    ['1. `mkdev up`, nothing to all ready', 'mkdev up'],
    [
      '2. exported Compose file: `docker-compose up -d` to all healthy, jobs exited 0, Kong ready',
      'compose up',
    ],
    ['   (2. `docker-compose up -d` returned)', 'compose up -d returned'],
    ['3. critical-path lower bound', 'lower bound'],
    ['4. no-op `mkdev up` on a healthy stack', 'no-op up'],
    ['5. `mkdev down` (volumes kept)', 'down'],
    ['6a. `startStack({ reuse: true })`, first call (fresh stack)', 'startStack fresh'],
    ['6b. `startStack({ reuse: true })`, second call (reused)', 'startStack reuse'],
    ['6c. `restore()` of a snapshot, Kong in the stack (Kong started anew)', 'restore'],
    ['7a. `mkdev --help` process wall time', '--help'],
    ['7b. `mkdev status` process wall time (healthy stack)', 'status'],
    ['8. peak RSS of `mkdev up` (GNU time, max RSS)', 'rss'],
    ['   peak RSS of no-op `mkdev up`', 'rss no-op'],
    [
      '   `mkdev up` wall time outside its own totalMs (start-up, load, observe)',
      'mkdev up outside its own clock',
    ],
    ['`mkdev export compose` process wall time', 'export'],
    ['`docker-compose down -v` of the Compose stack', 'compose down -v'],
  ];
  const alone = [...latest.keys()].filter((k) => k.startsWith('alone ')).map((k) => row(k.slice(6), k));
  const listed = new Set(rows.map(([, key]) => key));
  const others = [...latest.keys()]
    .filter((k) => !listed.has(k) && !k.startsWith('alone '))
    .sort()
    .map((k) => row(k, k));
  const composePer = medianPerService(r.composeTimelines);
  const fromTimelines = (field: 'readyAt' | 'startAt') =>
    medianPerService(
      r.timelines.map((t) =>
        Object.fromEntries(
          Object.entries(
            (t as { timeline?: Record<string, { readyAt?: number; startAt?: number }> }).timeline ?? {},
          ).flatMap(([n, v]) => (v[field] === undefined ? [] : [[n, v[field] as number]])),
        ),
      ),
    );
  const mkdevPer = fromTimelines('readyAt');
  const mkdevStart = fromTimelines('startAt');
  const services = [...new Set([...Object.keys(mkdevPer), ...Object.keys(composePer)])].sort(
    (a, b) => (mkdevPer[a] ?? composePer[a] ?? 0) - (mkdevPer[b] ?? composePer[b] ?? 0),
  );
  const text = `# mkdev benchmark results

Written by \`npm run bench\` (bench/run.ts), ${r.reps} repetitions of the scenarios ${r.scenarios.join(', ')},
alternating within each repetition (odd reps: mkdev then Compose; even reps: Compose then mkdev; then
the lower bound and the testing library). Every host port engine-chosen (MKDEV_*_PORT=0), offline
image set, unique project names, everything removed after each scenario. Each run appends a line to
bench/history.ndjson (date, commit, machine, every figure); a figure this run did not measure
(\`--only\`) shows its latest earlier run, dated. "Previous runs" are the medians of the last 5 earlier
runs that measured it, newest first.

## Machine

- Date: ${r.startedAt.toISOString()} to ${r.finishedAt.toISOString()}
- CPUs: ${cpus().length} (nproc), ${cpus()[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB
- Docker engine ${r.engineVersion}; docker-compose ${r.composeVersion}; Node ${process.version}
- Load average at the end: ${r.loadAverage} (the machine is shared with other engineers' test runs:
  numbers are noisy, spreads are real)

## Results (median, min – max)

${STAND_IN_LEGEND}

| scenario | median (min – max, n) | previous runs' medians |
| --- | --- | --- |
${rows.map(([label, key]) => row(label, key)).join('\n')}
${others.join('\n')}

Ratios (of medians; per-repetition ratios in brackets):

- 1/3, mkdev up / lower bound: ${fmtRatio(r13)}
- 1/2, mkdev up / Compose: ${fmtRatio(r12)}

## Goals

| goal | measured (median) | met |
| --- | --- | --- |
${goals.map((g) => `| ${g.what} | ${g.value === undefined ? 'n/a' : g.show(g.value)} | ${g.value === undefined ? 'not measured' : g.value <= g.limit ? 'yes' : 'no'} |`).join('\n')}

## Where the time goes

(${STAND_IN_MARK} as above.) Each service started alone, polled every 25 ms (the lower bound's terms):

| service | create -> ready (median, min – max) | previous runs' medians |
| --- | --- | --- |
${alone.join('\n')}

Lower-bound critical path per repetition: ${r.lowerBounds.map((b) => `${seconds(b.criticalPathMs)} via ${b.path}`).join('; ')}

When each service was ready, median over repetitions, from the start of \`mkdev up\` (its --json
timeline, readyAt) and from the start of \`docker-compose up -d\` (polled every 250 ms):

| service | mkdev up: starting at | mkdev up: ready at | Compose: ready at |
| --- | --- | --- | --- |
${services.map((n) => `| ${marked(n, dependsOnStandIns(`alone ${n}`))} | ${opt(mkdevStart[n])} | ${opt(mkdevPer[n])} | ${opt(composePer[n])} |`).join('\n')}
`;
  writeFileSync(file, text + handWritten(file));
}

/** Sections measured outside this run (by hand or by other scripts), kept across runs. */
export const HAND_WRITTEN_MARKER =
  '<!-- Sections below are kept by `npm run bench`; it rewrites only what is above. -->';

function handWritten(file: string): string {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = old.indexOf(HAND_WRITTEN_MARKER);
  return at === -1 ? `\n${HAND_WRITTEN_MARKER}\n` : `\n${old.slice(at)}`;
}
