// The dashboard's first render with a running stack: from navigation to the page showing every
// service (body[data-rendered]), in Debian's headless Chromium, against `mkdev ui` on a stack with one
// scaffolded service. Writes its section of bench/RESULTS.md. Run: npm run bench:ui [-- --runs N]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../test/support/ui-browser.ts';
import { writeSection } from './lib/kept-section.ts';
import { seconds, spread, summarize } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
const project = `uibench-${Date.now().toString(36).slice(-5)}`;
const dir = mkdtempSync(join(tmpdir(), `${project}-`));
const env = {
  ...process.env,
  MKDEV_IMAGES: process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml'),
  NO_COLOR: '1',
  ...Object.fromEntries(
    [
      'POSTGRES',
      'CONSUL',
      'CONSUL_DNS',
      'RABBITMQ',
      'RABBITMQ_MANAGEMENT',
      'KONG_PROXY',
      'KONG_ADMIN',
      'PROMETHEUS',
    ].map((n) => [`MKDEV_${n}_PORT`, '0']),
  ),
};
const mkdev = (args: string[]) =>
  execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'pipe' });
const log = (line: string) => process.stderr.write(`bench:ui: ${line}\n`);

log(`bringing up ${project} in ${dir}`);
mkdev(['new-service', 'orders']);
mkdev(['up', '-p', project]);
const ui = spawn(process.execPath, [BIN, 'ui', '-p', project, '--port', '0', '--no-open'], { cwd: dir, env });
const samples: number[] = [];
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    ui.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
      if (m) resolve(m[0]);
    });
    ui.on('exit', (code) => reject(new Error(`mkdev ui exited ${code}`)));
  });
  // Wait until the server has its first status (it prints this line after), as a user would open it.
  await new Promise<void>((resolve) => {
    ui.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('Ctrl-C')) resolve();
    });
  });
  const browser = await launchBrowser();
  for (let i = 0; i < runs + 1; i++) {
    const page = await browser.context.newPage();
    const started = performance.now();
    await page.goto(url);
    await page.waitForSelector('body[data-rendered="true"] tr[data-service="orders"]');
    const ms = performance.now() - started;
    // The first run warms Chromium itself (process start, disk cache): reported apart.
    if (i === 0) log(`cold (first page of a fresh browser): ${seconds(ms)}`);
    else samples.push(ms);
    await page.close();
  }
  await browser.close();
} finally {
  ui.kill('SIGINT');
  mkdev(['down', '-v', '--images', '-p', project]);
}
const summary = summarize(samples);
const line = spread(summary);
log(`first render: ${line}`);
writeSection(
  join(ROOT, 'bench', 'RESULTS.md'),
  `## \`mkdev ui\`: first render

Written by \`npm run bench:ui\` (bench/ui-first-render.ts) on ${new Date().toISOString()}: a stack with one
scaffolded service running, \`mkdev ui\` serving it, Debian's headless Chromium (playwright-core, 1440×900)
opening the printed URL in a new tab; measured from \`page.goto\` to the services table showing every
service (the page's first render from the server's first event). ${runs} runs after one warm-up.

| scenario | median (min – max, n) | goal | met |
| --- | --- | --- | --- |
| first render of \`mkdev ui\` with a running stack | ${line} | < 1 s | ${summary && summary.median < 1000 ? 'yes' : 'no'} |
`,
);
