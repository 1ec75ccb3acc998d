// The dashboard's latencies, in Debian's headless Chromium against `mkdev ui` on a running stack with
// one scaffolded service: the first render (navigation to every service shown), a killed container
// shown failing, a log line shown. Writes its section of bench/RESULTS.md.
// Run: npm run bench:ui [-- --runs N]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { execIn } from '../src/engine/container-ops.ts';
import { createDockerClient } from '../src/engine/docker-client.ts';
import { launchBrowser } from '../test/support/ui-browser.ts';
import { emitFigures } from './lib/figures-file.ts';
import { writeSection } from './lib/kept-section.ts';
import { spread, summarize } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
const project = `uibench-${Date.now().toString(36).slice(-5)}`;
const dir = mkdtempSync(join(tmpdir(), `${project}-`));
const PORTS = [
  'POSTGRES',
  'CONSUL',
  'CONSUL_DNS',
  'RABBITMQ',
  'RABBITMQ_MANAGEMENT',
  'KONG_PROXY',
  'KONG_ADMIN',
  'PROMETHEUS',
];
const env = {
  ...process.env,
  MKDEV_IMAGES: process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml'),
  NO_COLOR: '1',
  ...Object.fromEntries(PORTS.map((n) => [`MKDEV_${n}_PORT`, '0'])),
};
const mkdev = (args: string[]) =>
  execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'pipe' });
const log = (line: string) => process.stderr.write(`bench:ui: ${line}\n`);
const docker = createDockerClient();
const samples: Record<'render' | 'failing' | 'log' | 'flood', number[]> = {
  render: [],
  failing: [],
  log: [],
  flood: [],
};

async function orders(): Promise<Docker.Container> {
  const [c] = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project}`, 'dev.mkdev.service=orders'] },
  });
  return docker.getContainer(c?.Id ?? '');
}

async function startUi(): Promise<{ url: string; stop: () => void }> {
  const ui = spawn(process.execPath, [BIN, 'ui', '-p', project, '--port', '0', '--no-open'], {
    cwd: dir,
    env,
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    ui.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      // The second line comes once the server has its first status, as a user would open it.
      if (out.includes('Ctrl-C')) resolve();
    });
    ui.on('exit', (code) => reject(new Error(`mkdev ui exited ${code}`)));
  });
  const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out)?.[0] ?? '';
  return { url, stop: () => ui.kill('SIGINT') };
}

async function firstRender(page: Page, url: string): Promise<number> {
  const started = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-rendered="true"] tr[data-service="orders"]');
  return performance.now() - started;
}

/** docker kill -> the row shows failing; then the restart button, and back to ready (not timed). */
async function killToFailing(page: Page): Promise<number> {
  await page.click('nav [data-tab="services"]');
  const container = await orders();
  const started = performance.now();
  await container.kill();
  await page.waitForSelector('tr[data-service="orders"][data-ready="false"]', { timeout: 60_000 });
  const ms = performance.now() - started;
  await page.click('button[data-action="restart"][data-service="orders"]');
  await page.waitForSelector('tr[data-service="orders"][data-ready="true"]', { timeout: 120_000 });
  return ms;
}

/** A line written to the service's stdout -> shown in the logs view (includes the exec's start-up). */
async function logLine(page: Page, i: number): Promise<number> {
  await page.click('nav [data-tab="logs"]');
  const marker = `bench-line-${i}-${Date.now()}`;
  await page.fill('input[data-filter="search"]', marker);
  const container = await orders();
  const started = performance.now();
  await execIn(container, ['sh', '-c', `echo ${marker} > /proc/1/fd/1`]);
  await page.waitForSelector(`.log-line >> text=${marker}`, { timeout: 60_000 });
  return performance.now() - started;
}

/** 12,000 lines written at once -> the last one shown, the page holding 10,000 (its ring's size). */
async function flood(page: Page, i: number): Promise<number> {
  await page.click('nav [data-tab="logs"]');
  await page.fill('input[data-filter="search"]', '');
  const marker = `flood-${i}-${Date.now()}`;
  const started = performance.now();
  await execIn(await orders(), [
    'sh',
    '-c',
    `i=0; while [ $i -lt 12000 ]; do echo "${marker} $i"; i=$((i+1)); done > /proc/1/fd/1`,
  ]);
  await page.waitForSelector(`.log-line >> text="${marker} 11999"`, { timeout: 60_000 });
  return performance.now() - started;
}

log(`bringing up ${project} in ${dir}`);
mkdev(['new-service', 'orders']);
mkdev(['up', '-p', project]);
const ui = await startUi();
try {
  const browser = await launchBrowser();
  for (let i = 0; i < runs + 1; i++) {
    const page = await browser.context.newPage();
    const ms = await firstRender(page, ui.url);
    // The first page warms Chromium itself (process start, disk cache): left out.
    if (i > 0) samples.render.push(ms);
    if (i > 0 && i <= 3) samples.failing.push(await killToFailing(page));
    if (i > 0 && i <= 5) samples.log.push(await logLine(page, i));
    if (i > 0 && i <= 3) samples.flood.push(await flood(page, i));
    await page.close();
  }
  await browser.close();
} finally {
  ui.stop();
  mkdev(['down', '-v', '--images', '-p', project]);
}
emitFigures({
  'first render': samples.render,
  'killed shown failing': samples.failing,
  'log line shown': samples.log,
  '12,000 log lines, last shown': samples.flood,
});
const row = (what: string, key: keyof typeof samples, goalMs: number) => {
  const s = summarize(samples[key]);
  log(`${what}: ${spread(s)}`);
  return `| ${what} | ${spread(s)} | < ${goalMs / 1000} s | ${s && s.max < goalMs ? 'yes' : 'no'} |`;
};
writeSection(
  join(ROOT, 'bench', 'RESULTS.md'),
  `## \`mkdev ui\`

Written by \`npm run bench:ui\` (bench/ui-dashboard.ts) on ${new Date().toISOString()}: a stack with one
scaffolded service (orders) running, \`mkdev ui\` serving it, Debian's headless Chromium (playwright-core,
1440×900).
Image map \`${env.MKDEV_IMAGES.replace(ROOT, '')}\`; load average at the end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (2 cores shared with other agents' test runs).
First render: from \`page.goto\` of the printed URL in a new tab to the services table
showing every service (after one warm-up page). Failing: from \`docker kill\` of orders to its row
showing it failing (then the page's restart button brings it back). Log line: from a \`docker exec\`
writing a line to orders' stdout (its start-up included) to the line in the logs view. Flood: the
same with 12,000 lines written at once (the shell loop's own time included) until the last is shown,
the page keeping 10,000 (no goal: it says whether a chatty service slows the page). "Met" means
the slowest sample was under the goal.

| scenario | median (min – max, n) | goal | met |
| --- | --- | --- | --- |
${row('first render with a running stack', 'render', 1000)}
${row('killed container shown failing', 'failing', 2000)}
${row('log line shown', 'log', 1000)}
| 12,000 log lines at once, the last shown | ${spread(summarize(samples.flood))} | - | - |
`,
);
