// Roles, not names: the default stack with every platform service renamed (kong -> gateway, consul ->
// registry, rabbitmq -> bus, postgres -> db, prometheus -> metrics), plus a scaffolded service. `up` is
// ready, a request routes through the gateway to the service, `routes --check` says ok, status and a
// snapshot find each role under its new name, the dashboard reads the routes, and both exports name
// the renamed services. On the offline image set; conditions, never sleeps.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { engineHost } from '../src/engine/docker-client.ts';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { stackStatus } from '../src/project/service-status.ts';
import { loadStack } from '../src/stack/load-stack.ts';
import type { Stack } from '../src/stack/model.ts';
import { takeSnapshot } from '../src/testing/snapshot.ts';
import { readRoutes } from '../src/ui/platform-reads.ts';
import {
  docker,
  newService,
  OFFLINE_IMAGE_MAP,
  parseEnv,
  removeProject,
  servedThroughKong,
  testProject,
} from './support/cli.ts';
import { RENAMED, renamedStackYaml } from './support/renamed-stack.ts';

const project = testProject('roles-renamed');
const UP_MS = 600_000;
let env: Record<string, string> = {};
let stack: Stack;

const get = async (path: string) => {
  const res = await fetch(`${env.MKDEV_KONG_PROXY_URL}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
};

describe('the default stack with every platform service renamed', () => {
  beforeAll(async () => {
    project.write('mkdev.yaml', renamedStackYaml(project.name));
    const made = await newService(['orders'], project.dir);
    if (made.exitCode !== 0) throw new Error(made.all);
    const up = await project.run(['up'], { timeout: UP_MS });
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    env = parseEnv((await project.run(['env'])).stdout);
    stack = await loadStack({
      cwd: project.dir,
      project: project.name,
      env: { ...process.env, MKDEV_IMAGES: OFFLINE_IMAGE_MAP },
    });
  }, UP_MS + 60_000);

  afterAll(async () => {
    await removeProject(project.name);
  }, 120_000);

  it('scaffolds the service against the renamed gateway, discovery service and broker', () => {
    const orders = (
      parse(readFileSync(join(project.dir, 'mkdev.yaml'), 'utf8')) as {
        services: Record<string, { env: Record<string, string>; depends_on: Record<string, unknown> }>;
      }
    ).services.orders;
    expect(Object.keys(orders?.depends_on ?? {}).sort()).toEqual(['bus', 'gateway', 'registry']);
    expect(orders?.env.KONG_ADMIN_URL).toBe('http://gateway:8001');
    expect(orders?.env.CONSUL_URL).toBe('http://registry:8500');
    expect(orders?.env.RABBITMQ_URL).toContain('@bus:5672');
  });

  it('is up and ready, with no service under a default-stack name', async () => {
    const status = await project.run(['status', '--json']);
    expect(status.exitCode, status.all).toBe(0);
    const body = JSON.parse(status.stdout) as {
      healthy: boolean;
      services: { service: string; role?: string; state: string }[];
    };
    expect(body.healthy).toBe(true);
    const roles = Object.fromEntries(
      body.services.filter((s) => s.role !== undefined).map((s) => [s.role, s.service]),
    );
    expect(roles).toEqual({
      database: RENAMED.postgres,
      discovery: RENAMED.consul,
      broker: RENAMED.rabbitmq,
      gateway: RENAMED.kong,
      metrics: RENAMED.prometheus,
      traces: 'traces',
      registrator: 'registrator',
    });
    const running = await docker.listContainers({
      filters: { label: [`dev.mkdev.project=${project.name}`] },
    });
    const services = running.map((c) => c.Labels['dev.mkdev.service']);
    expect(services).toEqual(
      expect.arrayContaining(['gateway', 'registry', 'bus', 'db', 'metrics', 'orders']),
    );
    expect(services.filter((s) => s !== undefined && s in RENAMED)).toEqual([]);
  });

  it('routes a request through the gateway to the service, and routes --check says ok', async () => {
    await servedThroughKong(get, '/orders', 'orders', 120_000);
    const check = await project.run(['routes', '--check', '--json']);
    expect(check.exitCode, check.all).toBe(0);
    const body = JSON.parse(check.stdout) as { checks: { route: string; verdict: string; kind: string }[] };
    expect(body.checks.length).toBeGreaterThan(0);
    expect(body.checks.map((c) => [c.verdict, c.kind])).toEqual(
      body.checks.map(() => ['ok: reached the service', 'reached']),
    );
    const table = await project.run(['routes', '--check']);
    expect(table.stdout).toContain('200 ok: reached the service');
  });

  it('the dashboard reads the routes from the renamed gateway and discovery service', async () => {
    const status = await stackStatus(new DockerConnection(docker).project(project.name), stack, engineHost());
    expect(status.platform.gatewayAdmin).toMatch(/^http:\/\//);
    const routes = await readRoutes(status.platform);
    expect(routes.error).toBeUndefined();
    const orders = routes.data?.find((h) => h.paths.includes('/orders'));
    expect(orders?.instances.map((i) => i.status)).toContain('passing');
  });

  it('a snapshot holds the database, the discovery KV and the broker, found by role', async () => {
    const engine = new DockerConnection(docker).project(project.name);
    const snapshot = await takeSnapshot(engine, stack, await engine.observe());
    expect(snapshot.postgres).toContain('CREATE TABLE');
    expect(snapshot.consulKv?.map((e) => e.Key)).toContain('kong-migrations');
    expect(snapshot.rabbitmq).toEqual(expect.objectContaining({ vhosts: expect.any(Array) }));
  });

  it('export compose names the renamed services', async () => {
    const result = await project.run(['export', 'compose', '-o', 'compose.yaml']);
    expect(result.exitCode, result.all).toBe(0);
    const file = parse(readFileSync(join(project.dir, 'compose.yaml'), 'utf8'), { version: '1.1' }) as {
      services: Record<string, { depends_on?: Record<string, unknown> }>;
    };
    expect(Object.keys(file.services)).toEqual(
      expect.arrayContaining(['gateway', 'registry', 'bus', 'db', 'metrics', 'orders']),
    );
    expect(Object.keys(file.services).filter((s) => s in RENAMED)).toEqual([]);
    expect(Object.keys(file.services.orders?.depends_on ?? {})).toEqual(
      expect.arrayContaining(['gateway', 'registry', 'bus']),
    );
  });

  it('export kubernetes names the renamed services and wires the gateway to the registry', async () => {
    const result = await project.run(['export', 'kubernetes', '-o', 'k8s', '--registry', 'registry.example']);
    expect(result.exitCode, result.all).toBe(0);
    const files = readdirSync(join(project.dir, 'k8s'));
    expect(files).toEqual(
      expect.arrayContaining(['gateway.yaml', 'registry.yaml', 'bus.yaml', 'db.yaml', 'metrics.yaml']),
    );
    expect(files.filter((f) => /^(kong|consul|rabbitmq|postgres|prometheus)\.yaml$/.test(f))).toEqual([]);
    const gateway = readFileSync(join(project.dir, 'k8s', 'gateway.yaml'), 'utf8');
    expect(gateway).toContain('name: gateway-proxy');
    expect(gateway).toContain('/dev/tcp/registry/8500');
    expect(readFileSync(join(project.dir, 'k8s', 'registry.yaml'), 'utf8')).toContain('name: consul-dns');
  });
});
