// `mkdev ui`'s views that read the platform, in a real browser against the default stack: Messaging
// against RabbitMQ 4 under traffic, Consul KV (the tree, the kong-migrations flag with who wrote it
// and when), Metrics from the stack's own Prometheus scraping Kong, and the stop button.
// (test/ui-browser.test.ts has the services, route map, logs, restart and rebuild.)
// One stack, dashboard and browser for the file (describe-level setup); each test brings what it reads.
import type { Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardState } from '../src/ui/protocol.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';
import { ordersTraffic } from './support/rabbitmq-broker.ts';
import { launchBrowser, type TestBrowser } from './support/ui-browser.ts';
import { type RunningUi, startUi } from './support/ui-process.ts';

const SERVE = "require('http').createServer((q, s) => s.end('served ' + q.url)).listen(8080)";
const project = testProject('uiviews', {
  'mkdev.yaml': `services:
  web:
    image: node:24-bookworm-slim
    command: [node, -e, "${SERVE}"]
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
  stoppable:
    image: node:24-bookworm-slim
    command: [node, -e, "${SERVE}"]
`,
});
const WAIT = { timeout: 120_000 };
let ui: RunningUi;
let browser: TestBrowser;
let page: Page;
let env: Record<string, string> = {};

async function tab(name: string) {
  await page.click(`nav [data-tab="${name}"]`);
  await page.waitForSelector(`main[data-tab="${name}"]`);
}

const state = async () =>
  (await (await request(`${ui.base}api/state?token=${ui.token}`)).body.json()) as DashboardState;

describe('mkdev ui: Messaging, Consul KV, Metrics and stop', () => {
  beforeAll(async () => {
    const up = await project.run(['up'], { timeout: 600_000 });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    // Piped, `mkdev env` prints the credentials.
    env = parseEnv((await project.run(['env'])).stdout);
    ui = await startUi(project);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(ui.url);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await removeProject(project.name);
  });

  it("Messaging shows RabbitMQ 4's queues under traffic: depth, consumers, rates, dead letters, exchanges and bindings", async () => {
    const traffic = await ordersTraffic(env.MKDEV_RABBITMQ_URL as string);
    try {
      await tab('messaging');
      const orders = 'tr[data-queue="orders"]';
      await page.waitForSelector(orders, WAIT);
      // Columns: queue, vhost, depth, consumers, publish/s, deliver/s. Rates come with the broker's 5 s samples.
      await expect
        .poll(async () => {
          const cells = await page.locator(`${orders} td`).allTextContents();
          return { consumers: cells[3], publishing: Number(cells[4]) > 0, delivering: Number(cells[5]) > 0 };
        }, WAIT)
        .toEqual({ consumers: '1', publishing: true, delivering: true });
      // A dead-letter queue holding a message is flagged; an empty one is marked, not alarmed.
      await page.waitForSelector('tr[data-queue="orders.failed"].dlq-alert', WAIT);
      expect(await page.textContent('tr[data-queue="orders.failed"]')).toContain('dead letters');
      expect(await page.getAttribute('tr[data-queue="billing-dlq"]', 'class')).not.toContain('dlq-alert');
      const panels = await page.locator('main[data-tab="messaging"] .columns').textContent();
      expect(panels).toContain('orders.events');
      expect(panels).toContain('orders.dlx');
      expect(panels).toContain('orders.events→orders (queue)order.*');
      expect(panels).not.toContain('amq.topic');
    } finally {
      await traffic.stop();
    }
  });

  it('Consul KV shows the whole tree, read-only, and the kong-migrations flag with who wrote it and when', async () => {
    const put = await request(`${env.MKDEV_CONSUL_URL}/v1/kv/config/web/greeting`, {
      method: 'PUT',
      body: 'hello',
    });
    expect(await put.body.text()).toBe('true');
    await tab('kv');
    const flag = '[data-flag="kong-migrations"]';
    await page.waitForSelector(`${flag}.ok`, WAIT);
    const text = await page.textContent(flag);
    expect(text).toContain('kong-migrations = {"migrations":"done"}');
    expect(text).toMatch(/written by kong-migrations after it finished at .+ \(Consul index \d+\)/);
    // The KV tree is read every 5 s: the new key's folders appear, then its value.
    await page.click('button.folder >> text=config/', WAIT);
    await page.click('button.folder >> text=web/', WAIT);
    await page.click('[data-key="config/web/greeting"]');
    await expect.poll(() => page.textContent('main[data-tab="kv"] pre.value'), WAIT).toBe('hello');
    // Nothing on the page edits it.
    expect(await page.locator('main[data-tab="kv"] :is(input, textarea, [contenteditable])').count()).toBe(0);
  });

  it("Metrics charts Kong's request rate and p95 latency per route, from the stack's Prometheus", async () => {
    const admin = env.MKDEV_KONG_ADMIN_URL as string;
    for (const [path, body] of [
      ['/services/web', { url: 'http://web:8080' }],
      ['/services/web/routes/web-route', { paths: ['/web'] }],
    ] as const) {
      const res = await request(`${admin}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.statusCode, await res.body.text()).toBeLessThan(300);
    }
    // Requests through Kong until the dashboard has the route's rate (Prometheus scrapes every 5 s,
    // the dashboard asks it every 15 s).
    let sending = true;
    let served = 0;
    const load = (async () => {
      while (sending) {
        const res = await request(`${env.MKDEV_KONG_PROXY_URL}/web/hello`).catch(() => undefined);
        if ((await res?.body.text())?.startsWith('served')) served += 1;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      const metrics = await eventually(
        async () => {
          const route = (await state()).metrics?.data?.find((m) => m.route === 'web-route');
          return route?.rate.some(([, v]) => v > 0) && route.latencyP95.length > 0 ? route : undefined;
        },
        240_000,
        "the dashboard's metrics to show web-route's requests",
      );
      expect(served).toBeGreaterThan(0);
      expect(metrics.latencyP95.every(([, v]) => Number.isFinite(v) && v >= 0)).toBe(true);
      await tab('metrics');
      const panel = '[data-metrics="web-route"]';
      await page.waitForSelector(panel, WAIT);
      expect(await page.locator(`${panel} .chart-title`).allTextContents()).toEqual([
        'requests / s',
        'p95 latency',
      ]);
      expect(await page.locator(`${panel} canvas`).count()).toBe(2);
    } finally {
      sending = false;
      await load;
    }
  }, 360_000);

  it('the stop button stops the service, and the engine does not bring it back', async () => {
    await tab('services');
    const row = 'tr[data-service="stoppable"]';
    await page.waitForSelector(`${row}[data-state="running"]`, WAIT);
    await page.click(`button[data-action="stop"][data-service="stoppable"]`);
    await page.waitForSelector('[data-toast="ok"] >> text=stoppable stopped', WAIT);
    await page.waitForSelector(`${row}[data-state="exited"]`, WAIT);
    const [container] = await docker.listContainers({
      all: true,
      filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=stoppable'] },
    });
    const info = await docker.getContainer(container?.Id as string).inspect();
    // Stopped deliberately: its unless-stopped policy leaves it down.
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.State.Running).toBe(false);
    expect(info.RestartCount).toBe(0);
    expect(await page.locator(`button[data-action="stop"][data-service="stoppable"]`).count()).toBe(0);
  });
});
