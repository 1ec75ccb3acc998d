// Traces, on a running stack with one scaffolded TypeScript service (orders), offline image set:
//   1. latency through Kong with tracing on and off: 1,000 sequential GETs of /orders/ through Kong's
//      proxy (keep-alive, after 100 warm-up requests), p50 and p99; on = the default stack (Kong traces
//      every request, the plugin exports, the service traces); off = Kong's tracing_instrumentations off,
//      no opentelemetry plugin, the service without an OTLP endpoint. Alternated, --reps times each.
//   2. the trace in the dashboard: from sending a POST through Kong (with a traceparent, so its trace
//      id is known) to its row in the Traces tab, and to its waterfall complete (the consumer's span),
//      in Debian's headless Chromium.
//   3. the receiver's ingest rate and memory at its bound: OTLP protobuf batches of 100 Kong-like
//      traces (6 spans each) from 4 senders, until it has dropped traces (its bound reached).
// Kong is mkdev's stand-in here: figures that include Kong's own timing are the stand-in's.
// Writes its section of bench/RESULTS.md. Run: npm run bench:traces [-- --reps N --runs N]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { parseDocument } from 'yaml';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { encodeRequest } from '../test/support/otlp.ts';
import { launchBrowser } from '../test/support/ui-browser.ts';
import { emitFigures } from './lib/figures-file.ts';
import { writeSection } from './lib/kept-section.ts';
import { spread, summarize } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mkdev.js');
const { values } = parseArgs({
  options: { reps: { type: 'string', default: '2' }, runs: { type: 'string', default: '10' } },
});
const reps = Number(values.reps);
const runs = Number(values.runs);
const REQUESTS = 1000;
const WARMUP = 100;
const project = `trbench-${Date.now().toString(36).slice(-5)}`;
const dir = mkdtempSync(join(tmpdir(), `${project}-`));
const env = {
  ...process.env,
  MKDEV_IMAGES: process.env.MKDEV_IMAGES || join(ROOT, 'images', 'offline-image-map.yaml'),
  NO_COLOR: '1',
  ...freeHostPortsEnv(),
};
const mkdev = (args: string[]) =>
  execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'pipe' }).toString();
const log = (line: string) => process.stderr.write(`bench:traces: ${line}\n`);
const endpoints = (): Record<string, string> =>
  Object.fromEntries(
    mkdev(['env', '-p', project])
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function latency(proxy: string): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < WARMUP; i++) await get(`${proxy}/orders/`);
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const status = await get(`${proxy}/orders/`);
    samples.push(performance.now() - started);
    if (status !== 200) throw new Error(`GET /orders/ through Kong answered ${status}`);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Tracing off: Kong's instrumentations off and no plugin (after_ready keeps prometheus only), no OTLP endpoint for orders. */
function tracingOff(base: string): string {
  const doc = parseDocument(base);
  doc.setIn(['services', 'kong'], {
    env: { KONG_TRACING_INSTRUMENTATIONS: 'off' },
    after_ready: [
      {
        kong_plugin: {
          name: 'prometheus',
          config: {
            status_code_metrics: true,
            latency_metrics: true,
            bandwidth_metrics: true,
            upstream_health_metrics: true,
          },
        },
      },
    ],
  });
  doc.setIn(['services', 'orders', 'env', 'OTEL_EXPORTER_OTLP_ENDPOINT'], '');
  return doc.toString();
}

async function setTracing(on: boolean, base: string): Promise<void> {
  writeFileSync(join(dir, 'mkdev.yaml'), on ? base : tracingOff(base));
  mkdev(['up', '-p', project]);
  const admin = endpoints().MKDEV_KONG_ADMIN_URL;
  if (!on) {
    const plugins = (await (await fetch(`${admin}/plugins`)).json()) as {
      data: { id: string; name: string }[];
    };
    for (const p of plugins.data.filter((x) => x.name === 'opentelemetry'))
      await fetch(`${admin}/plugins/${p.id}`, { method: 'DELETE' });
  }
}

/** A POST through Kong with a fresh traceparent -> its row in the Traces tab, and its waterfall complete. */
async function inDashboard(page: Page, proxy: string): Promise<{ listed: number; complete: number }> {
  const traceId = randomBytes(16).toString('hex');
  const started = performance.now();
  const res = await fetch(`${proxy}/orders/verifications`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    },
    body: JSON.stringify({ email: `bench-${traceId.slice(0, 8)}@example.com`, name: 'Bench' }),
  });
  if (res.status !== 202) throw new Error(`POST through Kong answered ${res.status}`);
  await page.waitForSelector(`[data-trace="${traceId}"]`, { timeout: 60_000 });
  const listed = performance.now() - started;
  await page.click(`[data-trace="${traceId}"]`);
  await page.waitForSelector(`[data-waterfall="${traceId}"] [data-span="orders-verifications process"]`, {
    timeout: 60_000,
  });
  return { listed, complete: performance.now() - started };
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
      if (out.includes('Ctrl-C')) resolve();
    });
    ui.on('exit', (code) => reject(new Error(`mkdev ui exited ${code}`)));
  });
  return {
    url: /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out)?.[0] ?? '',
    stop: () => ui.kill('SIGINT'),
  };
}

/** 100 traces of Kong's 6 spans, attributes as Kong sends them, fresh ids. */
function batch(): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attr = (key: string, value: Record<string, unknown>) => ({ key, value });
  const spans = [];
  for (let t = 0; t < 100; t++) {
    const traceId = randomBytes(16);
    const root = randomBytes(8);
    const names = [
      'kong.router',
      'kong.access.plugin.opentelemetry',
      'kong.dns',
      'kong.balancer',
      'kong.header_filter.plugin.opentelemetry',
    ];
    spans.push({
      traceId,
      spanId: root,
      name: 'kong',
      kind: 2,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 5_000_000n),
      attributes: [
        attr('http.method', { stringValue: 'GET' }),
        attr('http.url', { stringValue: 'http://127.0.0.1/orders/' }),
        attr('http.route', { stringValue: '/orders' }),
        attr('http.status_code', { intValue: 200 }),
        attr('kong.request.id', { stringValue: randomBytes(16).toString('hex') }),
      ],
    });
    for (const name of names)
      spans.push({
        traceId,
        spanId: randomBytes(8),
        parentSpanId: root,
        name,
        kind: 1,
        startTimeUnixNano: String(now + 1_000_000n),
        endTimeUnixNano: String(now + 2_000_000n),
        attributes: [
          attr('net.peer.ip', { stringValue: '172.30.0.8' }),
          attr('net.peer.port', { doubleValue: 8080 }),
        ],
      });
  }
  return encodeRequest({
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', { stringValue: 'kong' })] },
        scopeSpans: [{ scope: { name: 'kong-internal', version: '0.1.0' }, spans }],
      },
    ],
  });
}

interface Stats {
  traces: number;
  spans: number;
  bytes: number;
  droppedTraces: number;
  receivedSpans: number;
  rssBytes: number;
  heapUsedBytes: number;
  limits: { maxTraces: number; maxBytes: number };
}

async function ingest(receiver: string): Promise<{
  spansPerSecond: number;
  requestsPerSecond: number;
  idle: Stats;
  full: Stats;
  requests: number;
}> {
  const idle = idleStats as Stats;
  // Every request new traces: 6 times the bound in all (encoded before the clock starts).
  const requests = Math.ceil((6 * idle.limits.maxTraces) / 100);
  const bodies = Array.from({ length: requests }, batch);
  let next = 0;
  let busy = 0;
  const started = performance.now();
  // Four senders, the receiver's default number of bodies read at once.
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        for (;;) {
          const res = await fetch(`${receiver}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' },
            body: bodies[i] as Uint8Array,
          });
          await res.arrayBuffer();
          if (res.status === 200) break;
          if (res.status !== 503) throw new Error(`the receiver answered ${res.status}`);
          busy++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const full = (await (await fetch(`${receiver}/api/stats`)).json()) as Stats;
  log(`ingest: ${requests} requests (${busy} told to retry) in ${seconds.toFixed(1)} s`);
  return {
    spansPerSecond: (requests * 600) / seconds,
    requestsPerSecond: requests / seconds,
    idle,
    full,
    requests,
  };
}

const samples: Record<string, number[]> = {
  'on p50': [],
  'on p99': [],
  'off p50': [],
  'off p99': [],
  listed: [],
  complete: [],
};
let ingestResult: Awaited<ReturnType<typeof ingest>> | undefined;

log(`bringing up ${project} in ${dir}`);
mkdev(['new-service', 'orders']);
const base = readFileSync(join(dir, 'mkdev.yaml'), 'utf8');
mkdev(['up', '-p', project]);
// The receiver's memory before any traffic but mkdev up's own probes through Kong.
const idleStats = (await (await fetch(`${endpoints().MKDEV_TRACES_URL}/api/stats`)).json()) as Stats;
try {
  for (let rep = 0; rep < reps; rep++) {
    // Alternating, ending with tracing on for what follows.
    for (const on of [false, true]) {
      await setTracing(on, base);
      const { p50, p99 } = await latency(endpoints().MKDEV_KONG_PROXY_URL as string);
      samples[`${on ? 'on' : 'off'} p50`]?.push(p50);
      samples[`${on ? 'on' : 'off'} p99`]?.push(p99);
      log(`rep ${rep}: tracing ${on ? 'on' : 'off'}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
    }
  }
  const ui = await startUi();
  try {
    const browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.goto(`${ui.url}#traces`);
    await page.waitForSelector('main[data-tab="traces"]');
    for (let i = 0; i < runs + 1; i++) {
      const r = await inDashboard(page, endpoints().MKDEV_KONG_PROXY_URL as string);
      // The first request warms the service's first publish and Chromium: left out.
      if (i > 0) {
        samples.listed?.push(r.listed);
        samples.complete?.push(r.complete);
      }
    }
    await browser.close();
  } finally {
    ui.stop();
  }
  ingestResult = await ingest(endpoints().MKDEV_TRACES_URL as string);
} finally {
  mkdev(['down', '-v', '--images', '-p', project]);
}

const msUnit = (v: number) => `${v.toFixed(2)} ms`;
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const i = ingestResult as NonNullable<typeof ingestResult>;
emitFigures({
  ...samples,
  'ingest spans/s': [i.spansPerSecond],
  'rss at bound MiB': [i.full.rssBytes / 2 ** 20],
  'rss idle MiB': [i.idle.rssBytes / 2 ** 20],
});
for (const [k, v] of Object.entries(samples)) log(`${k}: ${spread(summarize(v), msUnit)}`);
writeSection(
  join(ROOT, 'bench', 'RESULTS.md'),
  `## Traces

Written by \`npm run bench:traces\` (bench/traces.ts) on ${new Date().toISOString()}: a stack with one
scaffolded TypeScript service (orders), image map \`${env.MKDEV_IMAGES.replace(ROOT, '')}\`, load average at the
end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (2 cores shared with other agents' test runs). **Kong is mkdev's stand-in on this image
set: the figures that include Kong's own work (latency, the time until Kong's spans arrive) are the
stand-in's, not Kong's.**

Latency through Kong: ${REQUESTS} sequential \`GET /orders/\` through Kong's proxy to the service (one
keep-alive connection, after ${WARMUP} warm-up requests), per run the median (p50) and the 99th percentile
(p99); runs alternate tracing off and on, ${reps} of each. On: the default stack (Kong's
\`tracing_instrumentations = all\` at rate 1.0, its opentelemetry plugin exporting every span, the
service's OpenTelemetry SDK tracing the request). Off: \`KONG_TRACING_INSTRUMENTATIONS=off\`, no
opentelemetry plugin, the service without \`OTEL_EXPORTER_OTLP_ENDPOINT\`.

| scenario | median of runs (min – max, n) |
| --- | --- |
| tracing off, p50 | ${spread(summarize(samples['off p50'] ?? []), msUnit)} |
| tracing on, p50 | ${spread(summarize(samples['on p50'] ?? []), msUnit)} |
| tracing off, p99 | ${spread(summarize(samples['off p99'] ?? []), msUnit)} |
| tracing on, p99 | ${spread(summarize(samples['on p99'] ?? []), msUnit)} |

The trace in the dashboard: a \`POST /orders/verifications\` through Kong with a traceparent (so its id is
known), timed from sending it to its row in the Traces tab (the tab reads the receiver every 1.5 s),
and to its waterfall showing the consumer's span after a click on the row (Kong batches spans for
0.1 s, the service for 0.2 s); headless Chromium, ${runs} requests after one warm-up.

| scenario | median (min – max, n) |
| --- | --- |
| trace listed in the Traces tab | ${spread(summarize(samples.listed ?? []))} |
| its waterfall complete (Kong, the service, publish, consume) | ${spread(summarize(samples.complete ?? []))} |

The receiver (\`stacks/traces\`, in its container, default bounds ${i.full.limits.maxTraces} traces /
${MiB(i.full.limits.maxBytes)}): OTLP protobuf requests of 100 traces x 6 Kong-like spans (about
${MiB(batch().length)} each, ${i.requests} of them, every trace new: 6 times the bound) from 4 concurrent senders,
after the runs above. "Idle" is its memory right after \`mkdev up\`, before any request but up's own probes.

| figure | value |
| --- | --- |
| ingest rate | ${Math.round(i.spansPerSecond).toLocaleString('en')} spans/s (${i.requestsPerSecond.toFixed(1)} requests/s) |
| at its bound: traces kept, span bytes | ${i.full.traces} traces, ${MiB(i.full.bytes)} (dropped ${i.full.droppedTraces.toLocaleString('en')} oldest) |
| memory at its bound (process RSS, V8 heap used) | ${MiB(i.full.rssBytes)}, ${MiB(i.full.heapUsedBytes)} |
| memory idle (right after \`mkdev up\`) | ${MiB(i.idle.rssBytes)}, ${MiB(i.idle.heapUsedBytes)} |
`,
  'bench/traces.ts',
);
