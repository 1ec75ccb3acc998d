// Traces end to end, on one stack with a scaffolded TypeScript service: a POST through Kong that the
// service publishes to RabbitMQ and its own consumer takes is ONE trace (Kong's spans, the service's
// request, the publish, the consume, each under the right parent), `mkdev traces` prints it, the
// dashboard draws its waterfall in Chromium (the screenshot in docs/), a stopped service gives a trace
// whose Kong span carries the error, and the receiver in the stack takes bad input without harm.

import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDetail, TraceSpan, TraceSummary } from '../src/platform/traces.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';
import { screenshotPath } from './support/screenshots.ts';
import { launchBrowser, type TestBrowser } from './support/ui-browser.ts';
import { type RunningUi, startUi } from './support/ui-process.ts';

const project = testProject('traces');
let env: Record<string, string> = {};
const WAIT = 60_000;

async function receiver<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${env.MKDEV_TRACES_URL}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

/** The trace once it has at least `spans` spans (Kong and the service send theirs in batches). */
async function traceWith(traceId: string, spans: number): Promise<TraceDetail> {
  return eventually(
    async () => {
      const { status, body } = await receiver<TraceDetail>(`/api/traces/${traceId}`);
      return status === 200 && body.spans.length >= spans ? body : undefined;
    },
    WAIT,
    `trace ${traceId} with ${spans} spans`,
  );
}

const one = (spans: readonly TraceSpan[], name: string, service: string) => {
  const found = spans.filter((s) => s.name === name && s.service === service);
  expect(found, `${service} ${name}`).toHaveLength(1);
  return found[0] as TraceSpan;
};

async function ordersContainer() {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders'] },
  });
  return docker.getContainer(list[0]?.Id ?? '');
}

let postTrace = '';

describe('traces', () => {
  beforeAll(async () => {
    const made = await project.run(['new-service', 'orders'], { withoutProject: true });
    if (made.exitCode !== 0) throw new Error(`new-service failed:\n${made.all}`);
    const up = await project.run(['up'], { timeout: 600_000 });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env'])).stdout);
  }, 900_000);

  afterAll(async () => {
    await removeProject(project.name);
  });

  it('a POST through Kong, published and consumed, is one trace with every hop under its parent', async () => {
    const email = `trace-${Date.now()}@example.com`;
    const posted = await fetch(`${env.MKDEV_KONG_PROXY_URL}/orders/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'Trace' }),
    });
    expect(posted.status).toBe(202);
    const summary = await eventually(
      async () => {
        const { body } = await receiver<{ traces: TraceSummary[] }>(
          '/api/traces?route=/orders&service=orders',
        );
        return body.traces.find((t) => t.method === 'POST' && t.spanCount >= 9);
      },
      WAIT,
      'the POST trace',
    );
    postTrace = summary.traceId;
    expect(summary).toMatchObject({
      route: '/orders',
      status: 202,
      services: ['kong', 'orders'],
      error: false,
    });
    const { spans } = await traceWith(postTrace, 9);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([postTrace]));
    const root = one(spans, 'kong', 'kong');
    expect(root).toMatchObject({ kind: 2, parentSpanId: '' });
    const balancer = one(spans, 'kong.balancer', 'kong');
    expect(balancer.parentSpanId).toBe(root.spanId);
    for (const name of ['kong.router', 'kong.access.plugin.opentelemetry', 'kong.dns'])
      expect(one(spans, name, 'kong').parentSpanId).toBe(root.spanId);
    // The service's request continues the traceparent Kong sent: its parent is the balancer's span.
    const server = spans.find((s) => s.service === 'orders' && s.kind === 2) as TraceSpan;
    expect(server).toMatchObject({ name: 'POST', parentSpanId: balancer.spanId });
    const publish = spans.find((s) => s.service === 'orders' && s.kind === 4) as TraceSpan;
    expect(publish.parentSpanId).toBe(server.spanId);
    expect(publish.attributes['messaging.rabbitmq.routing_key']).toBe('orders-verifications');
    // The consumer's span is in the same trace through the message's headers.
    const consume = spans.find((s) => s.service === 'orders' && s.kind === 5) as TraceSpan;
    expect(consume.parentSpanId).toBe(publish.spanId);
    expect(consume.name).toBe('orders-verifications process');
    // The service's log lines of that request carry its trace id.
    const logs = (await (await ordersContainer()).logs({ stdout: true, stderr: true })).toString('utf8');
    expect(logs).toContain(`queueing verification for ${email} trace_id=${postTrace}`);
    expect(logs).toContain(`processed verification for ${email} trace_id=${postTrace}`);
  });

  it('mkdev traces --route /orders prints it as a tree, and --json as data', async () => {
    const printed = await project.run(['traces', '--route', '/orders', '--limit', '50']);
    expect(printed.exitCode, printed.all).toBe(0);
    const block = printed.stdout.split('\n\n').find((b) => b.includes(`trace ${postTrace}`)) ?? '';
    expect(block).toMatch(/POST \/orders {2}202 {2}[\d.]+ ms {2}kong -> orders/);
    expect(block).toMatch(/└─ kong kong.balancer|├─ kong kong.balancer/);
    expect(block).toMatch(/orders POST .*\n.*orders publish .*\n.*orders orders-verifications process/);
    const json = await project.run(['traces', postTrace, '--json']);
    expect(json.exitCode, json.all).toBe(0);
    expect((JSON.parse(json.stdout) as TraceDetail).spans.length).toBeGreaterThanOrEqual(9);
    const none = await project.run(['traces', '--route', 'orders']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain("--route takes a path starting with '/'");
  });

  it('mkdev traces --follow prints a new trace once its spans are in, and Ctrl-C ends it with 0', async () => {
    const follow = project.run(['traces', '--follow', '--route', '/orders']);
    let out = '';
    follow.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    // What was there already is printed first; a request sent now is printed after.
    await eventually(
      async () => (out.includes(`trace ${postTrace}`) ? true : undefined),
      WAIT,
      'the backlog',
    );
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${env.MKDEV_KONG_PROXY_URL}/orders/`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    await eventually(
      async () => (/trace 5bf92f3577b34da6a3ce929d0e0e4736[\s\S]*orders GET/.test(out) ? true : undefined),
      WAIT,
      'the followed trace with the service span',
    );
    follow.kill('SIGINT');
    expect((await follow).exitCode).toBe(0);
  });

  describe('in the dashboard (Chromium)', () => {
    let ui: RunningUi;
    let browser: TestBrowser;
    let page: Page;
    beforeAll(async () => {
      ui = await startUi(project);
      browser = await launchBrowser();
      page = await browser.context.newPage();
      await page.setViewportSize({ width: 1440, height: 900 });
    });
    afterAll(async () => {
      await browser?.close();
      await ui?.stop();
    });

    it('draws the waterfall of the trace, and leads from a span to its service’s logs', async () => {
      await page.goto(`${ui.url}#traces`);
      await page.click(`[data-trace="${postTrace}"]`, { timeout: WAIT });
      const waterfall = `[data-waterfall="${postTrace}"]`;
      for (const [service, name] of [
        ['kong', 'kong'],
        ['kong', 'kong.balancer'],
        ['orders', 'POST'],
        ['orders', 'orders-verifications process'],
      ])
        await page.waitForSelector(`${waterfall} [data-service="${service}"][data-span="${name}"]`, {
          timeout: WAIT,
        });
      await page.waitForSelector(`${waterfall} [data-service="orders"][data-span^="publish"]`);
      // Rows come in tree order: Kong's balancer, then the service's request, publish and consume.
      const rows = await page.locator(`${waterfall} [data-span]`).all();
      const order = await Promise.all(rows.map((r) => r.getAttribute('data-span')));
      const at = (n: string) => order.findIndex((x) => x === n || x?.startsWith(n));
      expect(at('kong.balancer')).toBeLessThan(at('POST'));
      expect(at('POST')).toBeLessThan(at('publish'));
      expect(at('publish')).toBeLessThan(at('orders-verifications process'));
      await page.click(`${waterfall} [data-span="orders-verifications process"]`);
      await page.waitForSelector('[data-span-detail="orders-verifications process"]');
      await page.screenshot({ path: screenshotPath('ui-traces.png') });
      await page.click('[data-action="span-logs"]');
      await page.waitForSelector('main[data-tab="logs"]');
      await page.waitForSelector('.log-line.marked[data-service="orders"]', { timeout: WAIT });
      expect(await page.textContent('.log-line.marked[data-service="orders"]')).toContain(
        `trace_id=${postTrace}`,
      );
    });

    it('from "try it" on the route map, opens the trace of that request', async () => {
      await page.click('nav [data-tab="routes"]');
      await eventually(
        async () => {
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url().includes('/api/routes/try')),
            page.click('[data-try="orders"] [data-action="try"]'),
          ]);
          return ((await answer.json()) as { ok: boolean }).ok ? true : undefined;
        },
        WAIT,
        'try it to reach orders',
      );
      // A click by selector, found again at the click: the route map is drawn anew whenever the
      // dashboard's state changes (every 2 s at least), so an element handle taken before can be gone.
      await page.click('[data-try="orders"] [data-action="open-trace"]');
      await page.waitForSelector('main[data-tab="traces"]');
      const waterfall = await page.waitForSelector('[data-waterfall]', { timeout: WAIT });
      const traceId = await waterfall.getAttribute('data-waterfall');
      await page.waitForSelector(`[data-waterfall="${traceId}"] [data-service="orders"][data-span="GET"]`, {
        timeout: WAIT,
      });
      expect(traceId).not.toBe(postTrace);
    });
  });

  it('a stopped service gives a trace whose Kong span carries the error', async () => {
    await (await ordersContainer()).stop();
    // Kong continues a sampled incoming traceparent: the answer's trace is the one sent. For up to
    // KONG_DNS_STALE_TTL (5 s) after Consul drops the instance, Kong may still use its stale answer
    // and try the dead address, where a connect gets no answer at all (a stopped container's address
    // on the network: no RST, no ICMP), so Kong waits for the service's connect_timeout (60 s,
    // kong/init.lua:1424-1426) before its own 500 or 502; such an attempt is given up after 5 s. Then
    // the name stops resolving: 503, the case this test is about. A fresh trace id per attempt keeps
    // the traces apart.
    const { answer, traceId } = await eventually(
      async () => {
        const attempt = randomBytes(16).toString('hex');
        const res = await fetch(`${env.MKDEV_KONG_PROXY_URL}/orders`, {
          headers: { traceparent: `00-${attempt}-00f067aa0ba902b7-01` },
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer();
        return res.status === 503 ? { answer: res.status, traceId: attempt } : undefined;
      },
      WAIT,
      'Kong to answer 503 for the stopped service',
    );
    expect(answer).toBe(503);
    const { summary, spans } = await traceWith(traceId, 4);
    expect(summary).toMatchObject({ status: 503, error: true, services: ['kong'] });
    // Consul no longer lists the instance: Kong's name resolution fails, and its span says why.
    const dns = one(spans, 'kong.dns', 'kong');
    expect(dns.status.code).toBe(2);
    expect(dns.events[0]?.attributes['exception.message']).toMatch(/name error|empty record/);
    const printed = await project.run(['traces', '--errors', '--route', '/orders']);
    expect(printed.stdout).toContain(`503 ERROR`);
    expect(printed.stdout).toMatch(/kong kong\.dns .*ERROR: dns/);
    await (await ordersContainer()).start();
  });

  it('the receiver in the stack answers bad input with 4xx and keeps serving within its bounds', async () => {
    const post = (body: Uint8Array | string, headers: Record<string, string>) =>
      fetch(`${env.MKDEV_TRACES_URL}/v1/traces`, { method: 'POST', body, headers });
    expect(
      (await post(new Uint8Array([0xff, 0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' }))
        .status,
    ).toBe(400);
    expect((await post('{"resourceSpans": 7}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('hello', { 'content-type': 'text/plain' })).status).toBe(415);
    const huge = await post(new Uint8Array(9 * 1024 * 1024), {
      'content-type': 'application/x-protobuf',
    }).catch((e: Error) => e);
    // Refused from its Content-Length: 413 (or the connection closed before the whole body was sent).
    expect(huge instanceof Error ? 'closed' : String(huge.status)).toMatch(/^(413|closed)$/);
    const { body: stats } = await receiver<{ bytes: number; limits: { maxBytes: number }; traces: number }>(
      '/api/stats',
    );
    expect(stats.bytes).toBeLessThanOrEqual(stats.limits.maxBytes);
    expect((await fetch(`${env.MKDEV_TRACES_URL}/healthz`)).status).toBe(200);
    const list = await docker.listContainers({
      filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=traces'] },
    });
    const info = await docker.getContainer(list[0]?.Id ?? '').inspect();
    expect(info.RestartCount).toBe(0);
  });
});
