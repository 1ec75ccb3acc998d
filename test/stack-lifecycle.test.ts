// `mkdev up / status / env / logs / down` against the real engine and the offline image set.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  eventually,
  parseEnv,
  projectResources,
  removeProject,
  testProject,
  unlabelledResources,
} from './support/cli.ts';

const project = testProject('lifecycle');
const containerIds = async () =>
  Object.fromEntries(
    (await projectResources(project.name)).containers.map((c) => [c.Labels['dev.mkdev.service'], c.Id]),
  );
let env: Record<string, string> = {};

describe('the default stack', () => {
  beforeAll(async () => {
    const up = await project.run(['up', '--json']);
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    const summary = JSON.parse(up.stdout.trim().split('\n').pop() ?? '{}') as {
      ok: boolean;
      changed: boolean;
    };
    expect(summary).toMatchObject({ ok: true, changed: true });
    env = parseEnv((await project.run(['env'])).stdout);
  });
  afterAll(() => removeProject(project.name));

  it('exports every endpoint, with working credentials for scripts', () => {
    expect(Object.keys(env).sort()).toEqual([
      'MKDEV_CONSUL_URL',
      'MKDEV_KONG_ADMIN_URL',
      'MKDEV_KONG_PROXY_URL',
      'MKDEV_POSTGRES_URL',
      'MKDEV_PROMETHEUS_URL',
      'MKDEV_RABBITMQ_MANAGEMENT_URL',
      'MKDEV_RABBITMQ_URL',
      'MKDEV_TRACES_URL',
    ]);
    expect(env.MKDEV_RABBITMQ_URL).toMatch(/^amqp:\/\/mkdev:[A-Za-z0-9_-]{24}@127\.0\.0\.1:\d+$/);
  });

  it('set the kong-migrations flag in Consul KV once the migrations succeeded', async () => {
    const res = await request(`${env.MKDEV_CONSUL_URL}/v1/kv/kong-migrations?raw`);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await res.body.text())).toEqual({ migrations: 'done' });
  });

  it('the migrations job on a new database: bootstrap ran every migration, and neither up nor finish was started', async () => {
    const logs = (await project.run(['logs', 'kong-migrations'])).stdout;
    expect(logs).toContain('Bootstrapping database...');
    expect(logs).toContain('Database is up-to-date');
    // What `up` and `finish` print on an up-to-date database (kong/cmd/utils/migrations.lua:96, :162)
    expect(logs).not.toContain('Database is already up-to-date');
    expect(logs).not.toContain('No pending migrations to finish');
  });

  it("Kong's log shows it waited for the flag before starting", async () => {
    const logs = await project.run(['logs', 'kong']);
    const waiting = logs.stdout.indexOf('waiting for the Consul KV flag kong-migrations');
    const found = logs.stdout.indexOf('kong-migrations flag found');
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(found).toBeGreaterThan(waiting);
    expect(logs.stdout).toMatch(
      /kong-\d+ \| mkdev: kong-migrations flag found; starting Kong with dns_resolver \d+\.\d+\.\d+\.\d+:8600/,
    );
  });

  it('publishes Kong admin on 127.0.0.1 only, and it answers', async () => {
    const kong = (await projectResources(project.name)).containers.find(
      (c) => c.Labels['dev.mkdev.service'] === 'kong',
    );
    const admin = kong?.Ports.find((p) => p.PrivatePort === 8001);
    expect(admin?.IP).toBe('127.0.0.1');
    const res = await request(`${env.MKDEV_KONG_ADMIN_URL}/`);
    expect(res.statusCode).toBe(200);
    expect((await res.body.json()) as { version: string }).toMatchObject({
      version: expect.stringMatching(/^3\.9\./),
    });
  });

  it('enabled the prometheus plugin, and Prometheus scrapes Kong', async () => {
    const plugins = (await (await request(`${env.MKDEV_KONG_ADMIN_URL}/plugins`)).body.json()) as {
      data: { name: string }[];
    };
    expect(plugins.data.map((p) => p.name)).toContain('prometheus');
    const up = await eventually(
      async () => {
        const res = await request(`${env.MKDEV_PROMETHEUS_URL}/api/v1/query?query=up%7Bjob%3D%22kong%22%7D`);
        const body = (await res.body.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result[0]?.value[1] === '1' ? body : undefined;
      },
      30_000,
      'Prometheus to scrape Kong',
    );
    expect(up.data.result).toHaveLength(1);
  });

  it('status --json reports every service ready and up to date', async () => {
    const status = await project.run(['status', '--json']);
    expect(status.exitCode).toBe(0);
    const body = JSON.parse(status.stdout) as {
      healthy: boolean;
      services: { service: string; state: string; ready: boolean; upToDate: boolean }[];
    };
    expect(body.healthy).toBe(true);
    expect(body.services.map((s) => [s.service, s.state, s.ready, s.upToDate])).toEqual([
      ['postgres', 'running', true, true],
      ['consul', 'running', true, true],
      ['rabbitmq', 'running', true, true],
      ['kong-migrations', 'completed', true, true],
      ['kong', 'running', true, true],
      ['prometheus', 'running', true, true],
      ['traces', 'running', true, true],
      ['registrator', 'running', true, true],
    ]);
  });

  it('a second up changes nothing and still confirms readiness', async () => {
    const before = await containerIds();
    const again = await project.run(['up', '--json']);
    expect(again.exitCode).toBe(0);
    const events = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step?: string; changed?: boolean });
    expect(events.at(-1)).toMatchObject({ type: 'summary', changed: false });
    expect(events.filter((e) => e.step === 'create' || e.step === 'recreate' || e.step === 'start')).toEqual(
      [],
    );
    expect(events.filter((e) => e.step === 'ready').length).toBe(7);
    expect(await containerIds()).toEqual(before);
  });

  it('up --attach follows the logs once ready; Ctrl-C ends it with 0 and leaves the stack running', async () => {
    const before = await containerIds();
    const attached = project.run(['up', 'consul', '--attach']);
    let finished = false;
    void attached.then(() => {
      finished = true;
    });
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no followed log line within 60 s:\n${seen}`)), 60_000);
      attached.all?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const afterReady = seen.slice(Math.max(0, seen.indexOf('is ready')));
        if (seen.includes('is ready') && /consul-1 \| /.test(afterReady)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(finished, 'still following when interrupted').toBe(false);
    attached.kill('SIGINT');
    const result = await attached;
    expect(result.exitCode, result.all).toBe(0);
    expect(await containerIds()).toEqual(before);
    expect((await project.run(['status'])).exitCode).toBe(0);
  });

  it('changing one service recreates only that one', async () => {
    const before = await containerIds();
    project.write('mkdev.yaml', 'services:\n  prometheus:\n    env:\n      EXTRA_SETTING: "1"\n');
    const up = await project.run(['up']);
    expect(up.exitCode, up.all).toBe(0);
    const after = await containerIds();
    const changed = Object.keys(after).filter((s) => after[s] !== before[s]);
    expect(changed).toEqual(['prometheus']);
  });

  it('down --volumes leaves no container, network or volume of the project', async () => {
    const down = await project.run(['down', '--volumes']);
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toMatch(/removed 8 containers, 1 network, 4 volumes/);
    const left = await projectResources(project.name);
    expect([left.containers.length, left.networks.length, left.volumes.length]).toEqual([0, 0, 0]);
    expect(await unlabelledResources(project.name)).toEqual([]);
    expect((await docker.listNetworks()).some((n) => n.Name === `mkdev-${project.name}`)).toBe(false);
  });
});
