// Where a TS edit's time goes under `mkdev watch`, and template A against template B in the same
// conditions: one project, two TypeScript services scaffolded by this tree's `mkdev new-service`,
// the first (`edita`) with its template files replaced by those of a git ref (default main), the
// second (`editb`) as this tree makes it; edits alternate A, B, A, B... under one `mkdev watch --json`,
// so load on a shared machine falls on both alike. Per edit: the file write -> watch's change line
// (synced, restarted, ready) -> the container's own log lines (engine timestamps: node up and tracing
// set up, listening, RabbitMQ, Consul, Kong) -> the first response through Kong carrying the new text
// (polled every 20 ms, as bench/lib/daily-loop.ts does).
//   node bench/edit-loop.ts [--edits N] [--ref main] [--lang ts|python] [--history] [--prefix edit-loop] [--burst N] [--pause MS] [--ref-tree DIR]
// (--prefix: the project name's start, e.g. a branch's name on a machine shared with other benches.
// --burst N: N edits of one service in a row before the other's, each as soon as watch reported the one
// before, as the daily-loop scenario edits (bench/lib/daily-loop.ts); 1, the default, alternates.
// --pause MS: each edit MS after watch reported the one before, a person's pace rather than the bench's.
// --ref-tree DIR: a built tree of the ref, whose own `mkdev watch` watches A's service while this tree's
// watches B's, so that a change to watch is compared in the same run too.)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTemplate } from '../src/scaffold/templates.ts';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { appendHistory, makeEntry } from './lib/history.ts';
import { follow, until } from './lib/poll.ts';
import { mustSucceed, runTimed } from './lib/process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const { values } = parseArgs({
  options: {
    edits: { type: 'string', default: '10' },
    ref: { type: 'string', default: 'main' },
    lang: { type: 'string', default: 'ts' },
    history: { type: 'boolean', default: false },
    prefix: { type: 'string', default: 'edit-loop' },
    burst: { type: 'string', default: '1' },
    pause: { type: 'string', default: '0' },
    /** A built tree of the ref (bin/mkdev.js, dist/): its `mkdev watch` watches A's service, this tree's B's. */
    'ref-tree': { type: 'string' },
    /** B restarts its process inside the container (node --watch, watch rule `sync`): the loop's lever, tried. */
    'b-in-container': { type: 'boolean', default: false },
  },
});
const edits = Number(values.edits);
const burst = Math.max(1, Number(values.burst));
const pause = Math.max(0, Number(values.pause));
const loadNow = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const startLoad = loadNow();
const lang = values.lang as 'ts' | 'python';
const ref = values.ref as string;
const env: Record<string, string> = {
  MKDEV_IMAGES: process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml'),
  NO_COLOR: '1',
  ...freeHostPortsEnv(),
};
const project = `${values.prefix}-${Date.now().toString(36).slice(-5)}`;
const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
const log = (line: string) => process.stderr.write(`edit-loop: ${line}\n`);
const mkdev = (args: string[]) =>
  runTimed(process.execPath, [BIN, ...args], { cwd, env, timeoutMs: 600_000 });

const LANG = {
  ts: {
    file: 'src/http-server.ts',
    pattern: /(message: `)[^$]*/,
    portLine: /PORT=(\d+)/,
    dockerfile: 'Dockerfile',
  },
  python: {
    file: 'app.py',
    pattern: /("message": f")[^{]*/,
    portLine: /PORT=(\d+)/,
    dockerfile: 'Dockerfile',
  },
}[lang];

/** Replaces a scaffolded service's files (tests aside) with the ref's template, same placeholders. */
function useRefTemplate(service: string): void {
  const refDir = mkdtempSync(join(tmpdir(), `${project}-ref-`));
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${ref}" templates/${lang} | tar -x -C "${refDir}"`]);
  const dir = join(cwd, 'services', service);
  const port = Number(LANG.portLine.exec(readFileSync(join(dir, LANG.dockerfile), 'utf8'))?.[1]);
  for (const f of renderTemplate(
    lang,
    { serviceName: service, routePath: `/${service}`, port },
    join(refDir, 'templates', lang),
  )) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content, { mode: f.mode });
  }
  rmSync(refDir, { recursive: true, force: true });
}

/** TS only: Node's own watch mode restarts the process when watch syncs a file; no engine restart. */
function restartInsideContainer(service: string): void {
  const dockerfile = join(cwd, 'services', service, 'Dockerfile');
  writeFileSync(
    dockerfile,
    readFileSync(dockerfile, 'utf8').replace('CMD ["node", ', 'CMD ["node", "--watch-path=./src", '),
  );
  const yaml = join(cwd, 'mkdev.yaml');
  const rule = `- path: services/${service}/src\n          action: sync+restart`;
  const text = readFileSync(yaml, 'utf8');
  if (!text.includes(rule)) throw new Error(`no sync+restart rule for ${service} in mkdev.yaml`);
  writeFileSync(yaml, text.replace(rule, rule.replace('sync+restart', 'sync')));
}

interface Change {
  service: string;
  ok: boolean;
  syncedMs?: number;
  restartedMs?: number;
  readyMs?: number;
}

/**
 * The container's log lines from `t0` to `untilMs` (the engine's timestamps), as ms after `t0`. `now`:
 * called right after the edit, when the container's state (a container restart's start, its CPU time) is
 * still this edit's; in a burst it is called after the loop, so that reading it does not delay the next edit.
 */
function containerSteps(service: string, t0: number, untilMs?: number, now = true): Record<string, number> {
  const id =
    execFileSync(
      'docker',
      [
        'ps',
        '-q',
        '--filter',
        `label=dev.mkdev.project=${project}`,
        '--filter',
        `label=dev.mkdev.service=${service}`,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')[0] || '';
  const steps: Record<string, number> = {};
  if (id === '') return steps;
  const state = JSON.parse(
    execFileSync('docker', ['inspect', '-f', '{{json .State}}', id], { encoding: 'utf8' }),
  );
  // A container restarted in place (the template's supervisor) keeps its StartedAt from before the edit.
  if (now && Date.parse(state.StartedAt) >= t0) {
    steps.stopped = Date.parse(state.FinishedAt) - t0;
    steps.started = Date.parse(state.StartedAt) - t0;
  }
  // Fractional seconds: after a restart in place the log holds the edits before, seconds apart at most.
  const window = ['--since', (t0 / 1000).toFixed(3)];
  if (untilMs !== undefined) window.push('--until', (untilMs / 1000).toFixed(3));
  const out = execFileSync('docker', ['logs', '-t', ...window, id], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const marks: [string, RegExp][] = [
    // A restart in place (the template's supervisor): SIGHUP seen, the standby told to go (at once, or
    // once it is warm), the new process serving and the old one told to leave.
    ['signal', /\[supervisor\] restarting: child/],
    ['warm', /\[supervisor\] standby \d+ is warm/],
    ['go', /\[supervisor\] child \d+ starts from the warm standby/],
    ['handover', /\[supervisor\] child \d+ serves; child \d+ leaves/],
    ['sigterm', /deregistering and stopping|stopping: deregistering|SIGTERM/],
    ['tracing', /tracing (to|off)/],
    ['listening', /listening on/],
    ['rabbitmq', /connected to RabbitMQ/],
    ['consul', /registered on Consul/],
    ['kong', /registered on Kong/],
  ];
  // CPU time of the new process so far (all its threads, 100 Hz ticks): what its start cost, whatever
  // the machine's load did to the wall clock.
  // Only when the container restarted: after a restart in place (the template's supervisor), PID 1 is
  // the supervisor, which ran before the edit.
  if (steps.started !== undefined) {
    const stat = execFileSync('docker', ['exec', id, 'cat', '/proc/1/stat'], { encoding: 'utf8' });
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    steps.cpu = (Number(fields[11]) + Number(fields[12])) * 10;
  }
  for (const line of out.split('\n')) {
    const at = Date.parse(line.slice(0, line.indexOf(' '))) - t0;
    for (const [name, re] of marks) if (re.test(line) && steps[name] === undefined) steps[name] = at;
  }
  return steps;
}

const rows: {
  variant: string;
  service: string;
  t0: number;
  total: number;
  /** When watch's change line arrived, ms after the write. */
  reported: number;
  change: Change;
  steps: Record<string, number>;
}[] = [];
const watches: ReturnType<typeof spawn>[] = [];
try {
  const flag = lang === 'python' ? ['--lang', 'python'] : [];
  mustSucceed('new-service edita', await mkdev(['new-service', 'edita', ...flag]));
  mustSucceed('new-service editb', await mkdev(['new-service', 'editb', ...flag]));
  useRefTemplate('edita');
  if (values['b-in-container']) restartInsideContainer('editb');
  // Each change line as it arrived: minus its readyMs, when watch started on the batch (its debounce over).
  const changeLines: { line: string; at: number }[] = [];
  const startWatch = async (bin: string, services: string[]) => {
    const watch = spawn(process.execPath, [bin, 'watch', '--json', '-p', project, ...services], {
      cwd,
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
    watches.push(watch);
    const out = follow(watch);
    let partial = '';
    watch.stdout?.on('data', (chunk: Buffer | string) => {
      const at = performance.now();
      const lines = (partial + String(chunk)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"type":"change"')) changeLines.push({ line, at });
    });
    for (const deadline = Date.now() + 900_000; !out.text().includes('"type":"watching"'); await sleep(50)) {
      if (watch.exitCode !== null || Date.now() > deadline)
        throw new Error(`mkdev watch did not start:\n${out.text().slice(-3000)}`);
    }
  };
  // --ref-tree: A's service is watched by the ref's own mkdev (watch's steps A/B too), B's by this tree's.
  if (values['ref-tree']) {
    await startWatch(join(values['ref-tree'], 'bin', 'mkdev.js'), ['edita']);
    await startWatch(BIN, ['editb']);
  } else await startWatch(BIN, []);
  const proxy = /MKDEV_KONG_PROXY_URL=(\S+)/.exec(
    (await mkdev(['env', '-p', project])).stdout,
  )?.[1] as string;
  const body = async (path: string) => {
    const res = await fetch(`${proxy}${path}`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? await res.text() : '';
  };
  // One warm-up edit each (not counted): the first restart after `up` may differ (caches, JIT).
  const done = { edita: 0, editb: 0 };
  for (let i = 0; done.edita <= edits || done.editb <= edits; i++) {
    const turn = Math.floor(i / burst) % 2 === 0 ? 'edita' : 'editb';
    const service = done[turn] > edits ? (turn === 'edita' ? 'editb' : 'edita') : turn;
    const file = join(cwd, 'services', service, LANG.file);
    const seen = changeLines.length;
    const marker = `edit-${i}-${Date.now().toString(36)}`;
    const content = readFileSync(file, 'utf8').replace(LANG.pattern, `$1${marker}`);
    const t0 = Date.now();
    const started = performance.now();
    writeFileSync(file, content);
    await until(`${marker} through Kong`, 120_000, async () =>
      (await body(`/${service}`)).includes(marker) ? true : undefined,
    );
    const total = performance.now() - started;
    await until('the change line', 120_000, async () => (changeLines.length > seen ? true : undefined));
    const { line, at } = changeLines[seen] as { line: string; at: number };
    const change = JSON.parse(line) as Change;
    const reported = at - started;
    const steps = burst === 1 ? containerSteps(service, t0) : {};
    const variant = service === 'edita' ? 'A' : 'B';
    if (done[service]++ > 0) rows.push({ variant, service, t0, total, reported, change, steps });
    log(
      `${service} ${Math.round(total)} ms ${JSON.stringify({ ...change, service: undefined })} ${JSON.stringify(steps)}`,
    );
    if (pause > 0) await sleep(pause);
  }
  // Each edit's log window ends where the next edit of any service starts.
  if (burst > 1)
    rows.forEach((r, i) => {
      r.steps = containerSteps(r.service, r.t0, rows[i + 1]?.t0, false);
      log(`${r.service} ${Math.round(r.total)} ms ${JSON.stringify(r.steps)}`);
    });
} finally {
  for (const watch of watches) {
    watch.kill('SIGINT');
    await new Promise((r) => (watch.exitCode === null ? watch.once('exit', r) : r(undefined)));
  }
  await mkdev(['down', '-v', '--images', '-t', '0', '-p', project]);
  rmSync(cwd, { recursive: true, force: true });
}

const median = (x: number[]) => pct(x, 0.5);
function pct(x: number[], p: number): number {
  const s = [...x].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number;
}
const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'n/a');
/** watch's times are since it started on the batch: this puts them on the write's clock. */
const batchStart = (r: (typeof rows)[number]) =>
  r.change.readyMs === undefined ? undefined : r.reported - r.change.readyMs;
const after = (start: number | undefined, ms: number | undefined) =>
  start === undefined || ms === undefined ? undefined : start + ms;
const STEPS: [string, (r: (typeof rows)[number]) => number | undefined][] = [
  ['watch starts on the batch (its debounce over)', (r) => batchStart(r)],
  ['synced (watch)', (r) => after(batchStart(r), r.change.syncedMs)],
  ['SIGHUP seen by the supervisor', (r) => r.steps.signal],
  ['standby warm (when it was still warming up)', (r) => r.steps.warm],
  ['standby told to go', (r) => r.steps.go],
  ['handover: the new process serves', (r) => r.steps.handover],
  ['SIGTERM seen by the service', (r) => r.steps.sigterm],
  ['old process exited', (r) => r.steps.stopped],
  ['container started', (r) => r.steps.started],
  ['restarted (watch)', (r) => after(batchStart(r), r.change.restartedMs)],
  ['tracing set up (first log line)', (r) => r.steps.tracing],
  ['listening', (r) => r.steps.listening],
  ['connected to RabbitMQ', (r) => r.steps.rabbitmq],
  ['registered on Consul', (r) => r.steps.consul],
  ['registered on Kong', (r) => r.steps.kong],
  ['ready (watch)', (r) => after(batchStart(r), r.change.readyMs)],
  ['first response through Kong', (r) => r.total],
  ['watch reported the change (its line)', (r) => r.reported],
  ['CPU time of the new process until ready (not a step)', (r) => r.steps.cpu],
];
const lines = [
  `edits of one service in a row: ${burst}; pause after watch reported an edit: ${pause} ms; load average at the start: ${startLoad}\n`,
  `| step, ms after the write (median) | A (${ref}) | B (this tree) |`,
  '| --- | --- | --- |',
];
for (const [name, get] of STEPS) {
  const col = (v: string) =>
    median(
      rows
        .filter((r) => r.variant === v)
        .map(get)
        .filter((x): x is number => x !== undefined),
    );
  lines.push(`| ${name} | ${fmt(col('A'))} | ${fmt(col('B'))} |`);
}
for (const v of ['A', 'B']) {
  const t = rows.filter((r) => r.variant === v).map((r) => r.total);
  lines.push(
    `\n${v}: n=${t.length}, median ${fmt(median(t))}, p95 ${fmt(pct(t, 0.95))}, min ${fmt(Math.min(...t))}, max ${fmt(Math.max(...t))}; samples ${t.map(Math.round).join(' ')}`,
  );
}
lines.push(`\nload average at the end: ${loadNow()}`);
process.stdout.write(`${lines.join('\n')}\n`);
if (values.history) {
  const name = lang === 'ts' ? 'TS' : 'Python';
  const figures: Record<string, number[]> = {};
  for (const r of rows) {
    const variant = r.variant === 'A' ? `${ref} template` : 'this branch';
    const put = (key: string, value: number | undefined) => {
      if (value === undefined || !Number.isFinite(value)) return;
      const figure = `${name} ${key} (${variant})`;
      figures[figure] = [...(figures[figure] ?? []), value];
    };
    put('edit -> served through Kong (edit-loop A/B)', r.total);
    const { tracing, started, stopped, kong } = r.steps;
    const span = (to: number | undefined, from: number | undefined) =>
      to === undefined || from === undefined ? undefined : to - from;
    put('edit: process start -> first log line', span(tracing, started));
    put('edit: old process exited -> container started', span(started, stopped));
    put('edit: registered on Kong -> served through Kong', span(r.total, kong));
    put('edit: CPU ms of the new process until ready', r.steps.cpu);
  }
  appendHistory(
    join(ROOT, 'bench', 'history.ndjson'),
    makeEntry(
      ROOT,
      new Date(),
      execFileSync('docker', ['version', '-f', '{{.Server.Version}}'], { encoding: 'utf8' }).trim(),
      [`edit-loop-${lang}`],
      figures,
    ),
  );
}
