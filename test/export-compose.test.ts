// `mkdev export compose`: the file docker-compose 1.29 reads, Compose v2's schema accepts, and that
// brings the default stack up to healthy on the offline image set.
// Needs docker-compose 1.29 (Debian's `docker-compose` package) on PATH: scripts/test.sh installs it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { docker, FREE_PORTS, offlineImage, testProject } from './support/cli.ts';

interface ComposeService {
  image: string;
  command?: string[];
  entrypoint?: string[];
  ports?: string[];
  healthcheck?: { test?: string[]; interval?: string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  networks: Record<string, { aliases: string[] }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, { name: string }>;
  volumes: Record<string, unknown>;
  [key: string]: unknown;
}

const project = testProject('export');
const composeFile = join(project.dir, 'compose.yaml');
/** The default stack's own host ports, as a user gets them (an empty variable means the default). */
const DEFAULT_PORTS = Object.fromEntries(Object.keys(FREE_PORTS).map((k) => [k, '']));
let file: ComposeFile;

async function compose(args: readonly string[], timeout = 240_000) {
  return execa('docker-compose', ['-p', project.name, '-f', composeFile, ...args], {
    reject: false,
    all: true,
    timeout,
  });
}

async function exportTo(path: string, env: Record<string, string> = {}): Promise<ComposeFile> {
  const result = await project.run(['export', 'compose', '-o', path], { env });
  if (result.exitCode !== 0) throw new Error(`mkdev export compose failed:\n${result.all}`);
  return parse(readFileSync(path, 'utf8'), { version: '1.1' }) as ComposeFile;
}

beforeAll(async () => {
  const version = await execa('docker-compose', ['version', '--short'], { reject: false });
  if (version.exitCode !== 0) {
    throw new Error(
      "docker-compose is not installed: these tests need Debian's docker-compose 1.29 (apt-get install -y docker-compose; scripts/test.sh should do it)",
    );
  }
  file = await exportTo(composeFile, DEFAULT_PORTS);
});

describe('mkdev export compose', () => {
  it('writes a file docker-compose 1.29 accepts', async () => {
    const result = await compose(['config', '-q']);
    expect(result.all).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('prints the same file on stdout without -o', async () => {
    const result = await project.run(['export', 'compose'], { env: DEFAULT_PORTS });
    expect(result.exitCode).toBe(0);
    expect(parse(result.stdout, { version: '1.1' })).toEqual(file);
  });

  it('has every service, one network with the service names as aliases, and the named volumes', async () => {
    expect(Object.keys(file.services).sort()).toEqual([
      'consul',
      'kong',
      'kong-after-ready',
      'kong-migrations',
      'postgres',
      'prometheus',
      'rabbitmq',
      'registrator',
      'traces',
    ]);
    expect(file.version).toBeUndefined();
    expect(file.networks).toEqual({ mkdev: { name: `mkdev-${project.name}` } });
    for (const [name, s] of Object.entries(file.services)) expect(s.networks.mkdev?.aliases).toEqual([name]);
    expect(Object.keys(file.volumes).sort()).toEqual([
      'consul-data',
      'postgres-data',
      'prometheus-data',
      'rabbitmq-data',
    ]);
    // Mapped through the set the tests run on (MKDEV_IMAGES), not the default set's tag.
    expect(file.services.kong?.image).toBe(await offlineImage('kong:3.9'));
  });

  it('turns readiness probes into 1 s healthchecks with tools the images have', () => {
    const checks = Object.fromEntries(
      Object.entries(file.services).map(([name, s]) => [name, s.healthcheck]),
    );
    for (const name of ['postgres', 'consul', 'rabbitmq', 'kong', 'prometheus', 'traces']) {
      expect(checks[name]?.interval, name).toBe('1s');
    }
    expect(checks.postgres?.test?.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(checks.consul?.test?.join(' ')).toContain('/v1/status/leader');
    expect(checks.kong?.test?.[1]).toContain('/dev/tcp/127.0.0.1/8100');
    expect(checks.kong?.test?.[1]).not.toMatch(/^curl/);
    expect(checks.rabbitmq?.test?.[1]).toContain('Authorization: Basic ');
    // The registrator's readiness is a log line: nothing inside the container can check it.
    expect(checks.registrator).toBeUndefined();
    // Jobs do not inherit a healthcheck from their image (Kong's has one).
    expect(checks['kong-migrations']).toEqual({ disable: true });
    expect(checks['kong-after-ready']).toEqual({ disable: true });
  });

  it('keeps the dependency conditions and runs one-shot jobs once', () => {
    const s = file.services;
    expect(s['kong-migrations']?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      consul: { condition: 'service_started' },
    });
    expect(s.kong?.depends_on).toEqual({
      consul: { condition: 'service_started' },
      'kong-migrations': { condition: 'service_completed_successfully' },
    });
    expect(s['kong-after-ready']?.depends_on).toEqual({ kong: { condition: 'service_healthy' } });
    expect(s['kong-migrations']?.restart).toBe('no');
    expect(s['kong-after-ready']?.restart).toBe('no');
    // The migrations job clears the KV flag, runs, and sets the flag once its own command succeeded.
    const job = s['kong-migrations']?.command ?? [];
    expect(job.slice(0, 2)).toEqual(['bash', '-c']);
    const script = job[2] ?? '';
    expect(script.indexOf('DELETE %s HTTP/1.0')).toBeGreaterThan(-1);
    expect(script.indexOf('DELETE %s HTTP/1.0')).toBeLessThan(script.indexOf('"$$@" || exit\n'));
    expect(script.indexOf('"$$@" || exit\n')).toBeLessThan(script.indexOf('PUT %s HTTP/1.0'));
    expect(job.slice(3)).toEqual([
      'kong-migrations',
      'bash',
      '-c',
      [
        'set -o pipefail',
        'kong migrations bootstrap 2>&1 | tee /tmp/kong-bootstrap.log || exit',
        "grep -q 'Bootstrapping database' /tmp/kong-bootstrap.log && exit 0",
        'kong migrations up && kong migrations finish',
        '',
      ].join('\n'),
    ]);
  });

  it('binds every published port to 127.0.0.1, fixed ones and engine-chosen ones alike', () => {
    const ports = Object.values(file.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(8);
    for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:/);
    expect(file.services.kong?.ports).toEqual([
      '127.0.0.1:8000:8000',
      '127.0.0.1:8001:8001',
      '127.0.0.1::8100',
    ]);
    expect(file.services.consul?.ports).toContain('127.0.0.1:8600:8600/udp');
  });

  it("passes the Compose Specification's JSON schema (what Compose v2 validates against)", async () => {
    const schema = await composeSpecSchema();
    const require = createRequire(import.meta.url);
    const Ajv = require('ajv') as typeof import('ajv').default;
    const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(file), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...file, services: { x: { image: 'a', links: 1 } } })).toBe(false);
  });
});

describe('docker-compose up -d of the export, on the offline image set', () => {
  const upFile = join(project.dir, 'compose-up.yaml');
  let up: ComposeFile;

  beforeAll(async () => {
    // Engine-chosen host ports, so this runs beside other stacks.
    up = await exportTo(upFile);
  });
  afterAll(async () => {
    const down = await execa(
      'docker-compose',
      ['-p', project.name, '-f', upFile, 'down', '-v', '--remove-orphans'],
      { reject: false, all: true },
    );
    if (down.exitCode !== 0) throw new Error(`docker-compose down failed:\n${down.all}`);
  });

  it('brings the whole stack to healthy, runs both jobs to exit 0, and Kong is ready', async () => {
    const result = await execa('docker-compose', ['-p', project.name, '-f', upFile, 'up', '-d'], {
      reject: false,
      all: true,
      timeout: 240_000,
    });
    expect(result.exitCode, result.all).toBe(0);
    const healthchecked = Object.entries(up.services)
      .filter(([, s]) => s.healthcheck?.test)
      .map(([n]) => n);
    const jobs = Object.entries(up.services)
      .filter(([, s]) => s.restart === 'no')
      .map(([n]) => n);
    const deadline = Date.now() + 240_000;
    let states: Record<string, string> = {};
    for (;;) {
      states = await serviceStates(project.name);
      const done =
        healthchecked.every((n) => states[n] === 'healthy') && jobs.every((n) => states[n] === 'exited 0');
      if (done || Date.now() > deadline) break;
      await sleep(500);
    }
    expect(states).toMatchObject({
      ...Object.fromEntries(healthchecked.map((n) => [n, 'healthy'])),
      ...Object.fromEntries(jobs.map((n) => [n, 'exited 0'])),
      registrator: 'running',
    });

    const kong = await containerOf(project.name, 'kong');
    const status = kong.NetworkSettings.Ports['8100/tcp']?.[0];
    expect(status?.HostIp).toBe('127.0.0.1');
    expect((await request(`http://127.0.0.1:${status?.HostPort}/status/ready`)).statusCode).toBe(200);
    const admin = kong.NetworkSettings.Ports['8001/tcp']?.[0];
    expect(admin?.HostIp).toBe('127.0.0.1');
    const plugins = (await (await request(`http://127.0.0.1:${admin?.HostPort}/plugins`)).body.json()) as {
      data: { name: string }[];
    };
    expect(plugins.data.map((p) => p.name)).toEqual(expect.arrayContaining(['prometheus', 'opentelemetry']));
    // Kong traces a request, and its plugin sends the spans to the receiver's service. A plugin added
    // through the Admin API applies from the next rebuild of Kong's plugin iterator (eventual worker
    // consistency, KONG_WORKER_STATE_UPDATE_FREQUENCY): a request right after may go untraced, so one is
    // sent at every look.
    const proxy = kong.NetworkSettings.Ports['8000/tcp']?.[0];
    const missRoute = async () =>
      expect((await request(`http://127.0.0.1:${proxy?.HostPort}/no-such-route`)).statusCode).toBe(404);
    const receiver = (await containerOf(project.name, 'traces')).NetworkSettings.Ports['4318/tcp']?.[0];
    expect(receiver?.HostIp).toBe('127.0.0.1');
    const traced = async () =>
      (
        (await (
          await request(`http://127.0.0.1:${receiver?.HostPort}/api/traces?route=/no-such-route`)
        ).body.json()) as {
          traces: { services: string[] }[];
        }
      ).traces;
    const until = Date.now() + 30_000;
    await missRoute();
    while ((await traced()).length === 0 && Date.now() < until) {
      await sleep(250);
      await missRoute();
    }
    expect((await traced())[0]?.services).toEqual(['kong']);

    const consul = await containerOf(project.name, 'consul');
    const kv = await request(
      `http://127.0.0.1:${consul.NetworkSettings.Ports['8500/tcp']?.[0]?.HostPort}/v1/kv/kong-migrations?raw`,
    );
    expect(await kv.body.json()).toEqual({ migrations: 'done' });
    // Compose's $$ escaping reached the container as the shell's own $.
    const job = await containerOf(project.name, 'kong-migrations');
    expect(job.Config.Cmd?.[2]).toContain('\n"$@" || exit\n');
    expect(job.Config.Cmd?.[2]).not.toContain('$$');
  }, 420_000);
});

async function containerOf(composeProject: string, service: string) {
  const [c] = await docker.listContainers({
    all: true,
    filters: {
      label: [`com.docker.compose.project=${composeProject}`, `com.docker.compose.service=${service}`],
    },
  });
  if (c === undefined) throw new Error(`no container for ${service}`);
  return docker.getContainer(c.Id).inspect();
}

/** Each service's state: its health when it has a healthcheck, else running or "exited <code>". */
async function serviceStates(composeProject: string): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${composeProject}`] },
  });
  const states = await Promise.all(
    list.map(async (c) => {
      const info = await docker.getContainer(c.Id).inspect();
      // An exited job's health is meaningless (its image may declare a healthcheck): its exit code counts.
      const state = !info.State.Running
        ? `exited ${info.State.ExitCode}`
        : (info.State.Health?.Status ?? 'running');
      return [c.Labels['com.docker.compose.service'] ?? '', state] as const;
    }),
  );
  return Object.fromEntries(states);
}

/**
 * The Compose Specification JSON Schema (compose-spec/compose-spec, as shipped in the npm package
 * dclint@3.1.0), kept in test/fixtures so the test needs no registry.
 */
async function composeSpecSchema(): Promise<object> {
  const path = fileURLToPath(new URL('./fixtures/compose-spec.schema.json', import.meta.url));
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // It names draft-07 by an https URL that ajv does not know; the dialect is draft-07 all the same.
  delete schema.$schema;
  return schema;
}
