// `mkdev ui` in a real headless browser (Debian's Chromium through playwright-core), against one
// running stack with one scaffolded service: every service ready, the route map passing end to end,
// a killed container turning failing and the restart button bringing it back, the service's own log
// line arriving, the token enforced. The screenshots in docs/ come from here (`npm run screenshots`).

import type { Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from '../src/engine/container-ops.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';
import { screenshotPath } from './support/screenshots.ts';
import { launchBrowser, type TestBrowser } from './support/ui-browser.ts';
import { type RunningUi, startUi } from './support/ui-process.ts';

const project = testProject('ui');
let ui: RunningUi;
let browser: TestBrowser;
let page: Page;
let env: Record<string, string> = {};
const SERVICES = [
  'postgres',
  'consul',
  'rabbitmq',
  'kong-migrations',
  'kong',
  'prometheus',
  'traces',
  'registrator',
  'orders',
];

/** Condition waits are generous: the machine is shared; a broken page fails them all the same. */
const WAIT = { timeout: 120_000 };
const screenshot = (name: string) => page.screenshot({ path: screenshotPath(name) });

async function ordersContainer() {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders'] },
  });
  return docker.getContainer(list[0]?.Id ?? '');
}

async function tab(name: string) {
  await page.click(`nav [data-tab="${name}"]`);
  await page.waitForSelector(`main[data-tab="${name}"]`);
}

describe('mkdev ui in a browser', () => {
  beforeAll(async () => {
    const made = await project.run(['new-service', 'orders'], { withoutProject: true });
    if (made.exitCode !== 0) throw new Error(`new-service failed:\n${made.all}`);
    const up = await project.run(['up'], { timeout: 600_000 });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env'])).stdout);
    ui = await startUi(project);
    browser = await launchBrowser();
    page = await browser.context.newPage();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await removeProject(project.name);
  });

  it('refuses a request without the token, in the browser too', async () => {
    const res = await request(ui.base);
    expect(res.statusCode).toBe(401);
    await res.body.dump();
    const answer = await page.goto(ui.base);
    expect(answer?.status()).toBe(401);
    expect(await page.content()).not.toContain('id="app"');
  });

  it('shows every service ready, and the route map route -> service -> instance passing', async () => {
    await page.goto(ui.url);
    // Waits are on selectors only: the page's Content-Security-Policy forbids evaluating strings in it.
    for (const name of SERVICES)
      await page.waitForSelector(`tr[data-service="${name}"][data-ready="true"]`, WAIT);
    await page.waitForSelector('[data-timeline="orders"]');
    await screenshot('ui-services.png');
    await tab('routes');
    // A new route may take Kong a few seconds to route: wait until the map draws the whole path passing.
    for (const node of ['route:orders', 'kong:orders', 'consul:orders'])
      await page.waitForSelector(`[data-node="${node}"][data-ok="true"]`, WAIT);
    await page.waitForSelector('[data-node^="instance:orders/"][data-ok="true"]', WAIT);
    await expect
      .poll(
        async () => ({
          all: await page.locator('path[data-edge]').count(),
          failing: await page.locator('path[data-edge][data-ok="false"]').count(),
        }),
        WAIT,
      )
      .toEqual({ all: 3, failing: 0 });
    expect(await page.getAttribute('[data-node^="instance:orders/"]', 'data-status')).toBe('passing');
    // "Try it" goes through Kong's proxy; Kong may need a few seconds to route a new route.
    await eventually(
      async () => {
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url().includes('/api/routes/try')),
          page.click('[data-try="orders"] [data-action="try"]'),
        ]);
        return ((await answer.json()) as { ok: boolean }).ok ? true : undefined;
      },
      WAIT.timeout,
      'try it to reach orders through Kong',
    );
    await page.waitForSelector('[data-try="orders"] [data-result="ok"]');
    expect(await page.textContent('[data-try="orders"] [data-result]')).toContain('ok: reached the service');
    await screenshot('ui-route-map.png');
  });

  it('a killed container turns failing, then the restart button brings it back to ready', async () => {
    await tab('services');
    const order: string[] = [];
    await (await ordersContainer()).kill();
    order.push('killed');
    await page.waitForSelector('tr[data-service="orders"][data-ready="false"]', WAIT);
    order.push('failing shown');
    // The probe may fail a moment before the engine reports the container exited: wait for both.
    await page.waitForSelector('tr[data-service="orders"][data-ready="false"][data-state="exited"]', WAIT);
    // The route map draws the dead instance's link failing once Consul's check says so, and "try it"
    // names a failed hop (which one depends on whether Kong still resolves the dead address).
    await tab('routes');
    await page.waitForSelector('[data-node^="instance:orders/"][data-ok="false"]', WAIT);
    expect(await page.$$('path[data-edge][data-ok="false"]')).not.toHaveLength(0);
    await page.click('[data-try="orders"] button');
    await page.waitForSelector('[data-try="orders"] [data-result="failed"]', WAIT);
    order.push('route map failing');
    await screenshot('ui-route-map-failing.png');
    await tab('services');
    await page.click('button[data-action="restart"][data-service="orders"]');
    order.push('restart clicked');
    await page.waitForSelector('tr[data-service="orders"][data-ready="true"][data-state="running"]', WAIT);
    order.push('ready shown');
    expect(order).toEqual(['killed', 'failing shown', 'route map failing', 'restart clicked', 'ready shown']);
    expect(await page.textContent('tr[data-service="orders"] td.num')).toBe('1');
    expect((await (await ordersContainer()).inspect()).State.Running).toBe(true);
  });

  it('the API: the state with the token, secrets masked; a foreign Host is 403; an action without the header is 401', async () => {
    const shown = parseEnv((await project.run(['env', '--show-secrets'])).stdout);
    const password = /amqp:\/\/[^:]+:([^@]+)@/.exec(shown.MKDEV_RABBITMQ_URL ?? '')?.[1] ?? '';
    expect(password.length).toBeGreaterThan(8);
    const res = await request(`${ui.base}api/state?token=${ui.token}`);
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    const state = JSON.parse(text) as { services: { data: { service: string }[] } };
    expect(state.services.data.map((s) => s.service)).toEqual(expect.arrayContaining(SERVICES));
    expect(text).not.toContain(password);
    const secrets = await request(`${ui.base}api/secrets`, { headers: { 'x-mkdev-token': ui.token } });
    expect(await secrets.body.text()).toContain(password);
    const foreign = await request(`${ui.base}api/state?token=${ui.token}`, {
      headers: { host: 'attacker.example' },
    });
    expect(foreign.statusCode).toBe(403);
    await foreign.body.dump();
    const forged = await request(`${ui.base}api/services/orders/stop?token=${ui.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.statusCode).toBe(401);
    await forged.body.dump();
    expect((await (await ordersContainer()).inspect()).State.Running).toBe(true);
  });

  it('a second mkdev ui on the taken port names it; an unknown project is refused with exit 1', async () => {
    const port = new URL(ui.base).port;
    const taken = await project.run(['ui', '--port', port, '--no-open']);
    expect(taken.exitCode).toBe(1);
    expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    const unknown = await project.run(['ui', '--no-open', '-p', `${project.name}-nothing`], {
      withoutProject: true,
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain(`project '${project.name}-nothing' does not exist`);
  });

  it("shows a log line the service writes, found by the page's search", async () => {
    const marker = `ui-${Date.now().toString(36)}@example.com`;
    await tab('logs');
    await page.fill('input[data-filter="search"]', marker);
    // The service logs "processed verification for <email>" when its consumer handles the message.
    await eventually(
      async () => {
        const res = await request(`${env.MKDEV_KONG_PROXY_URL}/orders/verifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: marker, name: 'UI test' }),
        });
        await res.body.dump();
        return res.statusCode === 202 ? true : undefined;
      },
      WAIT.timeout,
      'orders to accept a verification through Kong',
    );
    await page.waitForSelector(
      `.log-line[data-service="orders"] >> text=processed verification for ${marker}`,
      WAIT,
    );
    await page.fill('input[data-filter="search"]', '');
    await screenshot('ui-logs.png');
  });

  it('keeps the last 10,000 lines: after a flood of 12,000 the oldest are gone, the newest shown and found', async () => {
    await tab('logs');
    await page.fill('input[data-filter="search"]', '');
    const flood = `flood-${Date.now().toString(36)}`;
    const written = await execIn(await ordersContainer(), [
      'sh',
      '-c',
      `i=0; while [ $i -lt 12000 ]; do echo "${flood} $i"; i=$((i+1)); done > /proc/1/fd/1`,
    ]);
    expect(written.exitCode).toBe(0);
    // Follow mode shows the newest line; the page holds exactly 10,000.
    await page.waitForSelector(`.log-line >> text="${flood} 11999"`, WAIT);
    await expect.poll(() => page.textContent('.log-count'), WAIT).toMatch(/^10000 of 10000 lines/);
    // The flood's first line went out with the oldest ones; its last is found.
    await page.fill('input[data-filter="search"]', `${flood} 0`);
    await expect.poll(() => page.textContent('.log-count'), WAIT).toMatch(/^0 of 10000 lines/);
    await page.fill('input[data-filter="search"]', `${flood} 11999`);
    await expect.poll(() => page.textContent('.log-count'), WAIT).toMatch(/^1 of 10000 lines/);
    await page.fill('input[data-filter="search"]', '');
  });

  it('rebuild builds the image again and brings the service back to ready', async () => {
    await tab('services');
    const image = docker.getImage(`mkdev-${project.name}-orders:dev`);
    const before = (await image.inspect()).Id;
    await page.click('button[data-action="rebuild"][data-service="orders"]');
    await page.waitForSelector('[data-toast="ok"] >> text=orders rebuilt and ready', WAIT);
    await page.waitForSelector('tr[data-service="orders"][data-ready="true"][data-state="running"]', WAIT);
    expect((await image.inspect()).Id).not.toBe(before);
  });

  it('Ctrl-C stops it with exit 0, and it no longer answers', async () => {
    const { base } = ui;
    expect(await ui.stop()).toBe(0);
    await expect(request(base)).rejects.toThrow();
  });
});
