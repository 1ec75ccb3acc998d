// One stack (the default stack and a scaffolded service), brought up by two `mkdev up`s at once, then
// each long-running service crashed from the host in turn: it must come back running and ready by
// itself (its restart policy), with the service behind Kong routable again, without `mkdev up`.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';
import { crashService, restartedByEngine, serviceContainer } from './support/crash.ts';

const project = testProject('heal');
let env: Record<string, string> = {};

interface Status {
  healthy: boolean;
  services: {
    service: string;
    state: string;
    ready: boolean | null;
    restarts?: number;
    lastExitCode?: number;
  }[];
}
const status = async () => {
  const result = await project.run(['status', '--json']);
  return JSON.parse(result.stdout) as Status;
};

/**
 * The scaffolded service through Kong: Kong -> Consul DNS -> the container. A wait, not a check.
 * The proxy URL is read again each time: a restarted container's engine-chosen host ports change.
 */
const routable = () =>
  eventually(
    async () => {
      env = parseEnv((await project.run(['env'])).stdout);
      const res = await request(`${env.MKDEV_KONG_PROXY_URL}/orders`, { headersTimeout: 5_000 });
      const body = await res.body.text();
      return res.statusCode === 200 && JSON.parse(body).service === 'orders' ? true : undefined;
    },
    180_000,
    'GET /orders through Kong to answer 200 from orders',
  );

describe('self-healing', () => {
  beforeAll(async () => {
    const made = await project.run(['new-service', 'orders'], { withoutProject: true });
    if (made.exitCode !== 0) throw new Error(`new-service failed:\n${made.all}`);
    // A service that answers 500 to everything, registered in Consul by the registrator: the
    // service hop of `routes --check`.
    appendFileSync(
      join(project.dir, 'mkdev.yaml'),
      `  fail:
    image: node:24-bookworm-slim
    command: [node, -e, "require('http').createServer((q, s) => { s.statusCode = 500; s.end('broken'); }).listen(8080)"]
    depends_on: { registrator: { condition: ready } }
    register: { port: 8080 }
`,
    );
  }, 60_000);
  afterAll(() => removeProject(project.name));

  it('two concurrent ups both succeed: one waits for the other, then finds the stack ready', async () => {
    const first = project.run(['up'], { timeout: 600_000 });
    const second = project.run(['up'], { timeout: 600_000 });
    const [a, b] = await Promise.all([first, second]);
    expect(a.exitCode, a.all).toBe(0);
    expect(b.exitCode, b.all).toBe(0);
    const waited = [
      { run: a, other: first.pid },
      { run: b, other: second.pid },
    ].filter(({ run }) => run.stderr.includes('waiting for another mkdev up'));
    expect(waited).toHaveLength(1);
    const [w] = waited;
    const otherPid = w?.run === a ? second.pid : first.pid;
    expect(w?.run.stderr).toContain(
      `mkdev: waiting for another mkdev up of ${project.name} (pid ${otherPid})`,
    );
    expect(w?.run.stdout).toContain('(nothing changed)');
    const { containers } = await projectResources(project.name);
    const perService = new Map<string, number>();
    for (const c of containers) {
      const s = c.Labels['dev.mkdev.service'] ?? '';
      perService.set(s, (perService.get(s) ?? 0) + 1);
    }
    expect(Object.fromEntries(perService)).toEqual({
      postgres: 1,
      consul: 1,
      rabbitmq: 1,
      'kong-migrations': 1,
      kong: 1,
      prometheus: 1,
      traces: 1,
      registrator: 1,
      orders: 1,
      fail: 1,
    });
    env = parseEnv((await project.run(['env'])).stdout);
    await routable();
  }, 700_000);

  it.each(['postgres', 'consul', 'rabbitmq', 'kong', 'orders'])(
    'a crashed %s comes back running and ready by itself, and orders is routable through Kong again',
    async (service) => {
      const crash = await crashService(project.name, service);
      const restarted = await restartedByEngine(crash, 120_000);
      expect(restarted.Id).toBe(crash.id); // the same container, restarted: nothing recreated it
      const healed = await eventually(
        async () => {
          const s = await status();
          return s.healthy ? s : undefined;
        },
        240_000,
        `every service ready again after ${service} crashed`,
      );
      const row = healed.services.find((s) => s.service === service);
      expect(row?.restarts).toBeGreaterThanOrEqual(1);
      await routable();
      console.log(
        `[self-healing] ${service}: ready again ${Date.now() - crash.at} ms after the crash (with routing)`,
      );
    },
    600_000,
  );

  it('routes --check names the hop that fails: Kong, Consul, the connection, the service', async () => {
    env = parseEnv((await project.run(['env'])).stdout);
    const admin = env.MKDEV_KONG_ADMIN_URL;
    const put = async (path: string, body: object) => {
      const res = await request(`${admin}${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.statusCode, await res.body.text()).toBeLessThan(300);
    };
    const ordersIp = Object.values(
      (await serviceContainer(project.name, 'orders')).NetworkSettings.Networks,
    )[0]?.IPAddress;
    // Known to Consul, but nothing listens on its port.
    const consulPut = await request(`${env.MKDEV_CONSUL_URL}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'hop-closed', Address: ordersIp, Port: 9 }),
    });
    expect(consulPut.statusCode, await consulPut.body.text()).toBe(200);
    for (const [name, host, port, routeExtra] of [
      ['hop-nohost', 'orders.service.consul', 8080, { hosts: ['nope.invalid'] }],
      ['hop-nobody', 'nobody.service.consul', 8080, {}],
      ['hop-closed', 'hop-closed.service.consul', 9, {}],
      ['hop-fail', 'fail.service.consul', 8080, {}],
    ] as const) {
      await put(`/services/${name}`, { host, port });
      await put(`/services/${name}/routes/${name}`, { paths: [`/${name}`], ...routeExtra });
    }
    const expected = {
      orders: 'ok: reached the service',
      'hop-nohost': 'kong: no route matched',
      'hop-nobody': 'kong -> consul: no healthy instance resolved',
      'hop-closed': 'kong -> service: upstream failed',
      'hop-fail': 'service answered 500',
    };
    // Kong applies new routes and caches names eventually: wait for the verdicts, do not sample once.
    const checked = await eventually(
      async () => {
        const result = await project.run(['routes', '--check', '--json']);
        const verdicts = Object.fromEntries(
          (JSON.parse(result.stdout) as { checks: { route: string; verdict: string }[] }).checks.map((c) => [
            c.route,
            c.verdict,
          ]),
        );
        return Object.entries(expected).every(([route, verdict]) => verdicts[route] === verdict)
          ? { result, verdicts }
          : undefined;
      },
      120_000,
      'each route to fail at its hop',
    );
    expect(checked.result.exitCode).toBe(1);
  });
});
