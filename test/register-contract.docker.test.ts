// One contract, three libraries: the TypeScript mkdev/register (src/register), the Python template's
// mkdev_register.py and the Go package (src/register/go) each run the same cases, through a small driver
// per language (test/register-contract/), against the Kong and Consul stand-ins. A recording proxy in
// front of each stand-in checks the requests themselves (method, path, exact JSON body, when), then the
// state the stand-ins hold; so the three cannot drift apart unnoticed.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingProxy } from './register-contract/recording-proxy.ts';
import { startInProcess } from './stand-ins/consul/helpers.ts';
import type { AgentHandle } from './stand-ins/consul/src/agent.ts';
import { freePort } from './stand-ins/kong/helpers/postgres.ts';
import { type Env, setupKong } from './stand-ins/kong/helpers/setup.ts';
import { eventually, ROOT } from './support/cli.ts';
import { goToolchain } from './support/go-toolchain.ts';

type Language = 'ts' | 'python' | 'go';

interface Result {
  ok: boolean;
  value?: unknown;
  registrationError?: boolean;
  status?: number | null;
  message?: string;
  attempts: number;
  delaysMs: number[];
}

const CONTRACT = join(ROOT, 'test', 'register-contract');
let kong: Env | undefined;
let agent: AgentHandle | undefined;
let kongProxy: RecordingProxy;
let consulProxy: RecordingProxy;
let healthz: Server;
let healthzPort = 0;
const drivers = {} as Record<Language, { command: string; args: string[]; env?: Record<string, string> }>;

beforeAll(async () => {
  [kong, agent] = await Promise.all([setupKong(), startInProcess()]);
  kongProxy = await new RecordingProxy(kong.kong.admin).start();
  consulProxy = await new RecordingProxy(`http://127.0.0.1:${agent.httpPort}`).start();
  // What the HTTP and TCP checks reach, so they stay passing however slow the machine is.
  healthz = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => healthz.listen(0, '127.0.0.1', () => r()));
  healthzPort = (healthz.address() as AddressInfo).port;

  const go = await goToolchain();
  const goDriver = join(mkdtempSync(join(tmpdir(), 'mkdev-contract-')), 'driver');
  const build = await execa(go.go, ['build', '-o', goDriver, '.'], {
    cwd: join(CONTRACT, 'go'),
    env: go.env,
    reject: false,
    all: true,
  });
  if (build.exitCode !== 0) throw new Error(`building the Go driver failed:\n${build.all}`);
  drivers.ts = {
    command: process.execPath,
    args: ['--disable-warning=ExperimentalWarning', join(CONTRACT, 'driver.ts')],
  };
  drivers.python = {
    command: 'python3',
    args: [join(CONTRACT, 'driver.py')],
    env: { PYTHONPATH: join(ROOT, 'templates', 'python') },
  };
  drivers.go = { command: goDriver, args: [] };
}, 300_000);

afterAll(async () => {
  await kongProxy?.stop();
  await consulProxy?.stop();
  await new Promise((r) => healthz?.close(r));
  await kong?.kong.stop();
  await kong?.pg.stop();
  agent?.stop();
});

async function run(language: Language, steps: unknown[]): Promise<Result[]> {
  const driver = drivers[language];
  const result = await execa(driver.command, [...driver.args, JSON.stringify(steps)], {
    reject: false,
    all: true,
    env: driver.env ?? {},
    timeout: 60_000,
  });
  if (result.exitCode !== 0) throw new Error(`the ${language} driver failed:\n${result.all}`);
  const lines = result.stdout.split('\n').filter((l) => l.startsWith('{'));
  expect(lines, result.all).toHaveLength(steps.length);
  return lines.map((l) => JSON.parse(l) as Result);
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
async function admin(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${kong?.kong.admin}${path}`);
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
async function consul(path: string): Promise<any> {
  return (await fetch(`http://127.0.0.1:${agent?.httpPort}${path}`)).json();
}

const calls = (proxy: RecordingProxy) =>
  proxy.requests.map(({ method, path, body }) => ({ method, path, body }));

/** Each wait as asked, allowing for the Python library's ±10% jitter. */
function expectDelays(delays: number[], expected: number[]): void {
  expect(delays).toHaveLength(expected.length);
  delays.forEach((d, i) => {
    expect(d).toBeGreaterThanOrEqual(Math.floor((expected[i] as number) * 0.9));
    expect(d).toBeLessThanOrEqual(Math.ceil((expected[i] as number) * 1.1));
  });
}

describe.each(['ts', 'python', 'go'] as const)('mkdev/register in %s', (language) => {
  const name = (base: string) => `${base}-${language}`;
  const kongStep = (args: Record<string, unknown>, retry?: Record<string, number>) => ({
    op: 'registerOnKong',
    args: { adminUrl: kongProxy.url, ...args },
    ...(retry ? { retry } : {}),
  });

  it('upserts the Kong Service and Route by PUT, by name: a second run updates them in place', async () => {
    kongProxy.reset();
    const orders = name('orders');
    const [first, second] = await run(language, [
      kongStep({ name: orders, port: 8080, paths: [`/${orders}`] }),
      kongStep({ name: orders, port: 9090, paths: [`/${orders}`, `/o-${language}`] }),
    ]);
    expect(first).toMatchObject({ ok: true, attempts: 1 });
    expect(second?.value).toEqual(first?.value);
    const { serviceId, routeId } = (first?.value ?? {}) as { serviceId: string; routeId: string };
    const service = { name: orders, protocol: 'http', host: `${orders}.service.consul` };
    const route = {
      name: orders,
      service: { id: serviceId },
      protocols: ['http', 'https'],
      strip_path: true,
    };
    expect(calls(kongProxy)).toEqual([
      { method: 'PUT', path: `/services/${orders}`, body: { ...service, port: 8080 } },
      { method: 'PUT', path: `/routes/${orders}`, body: { ...route, paths: [`/${orders}`] } },
      { method: 'PUT', path: `/services/${orders}`, body: { ...service, port: 9090 } },
      {
        method: 'PUT',
        path: `/routes/${orders}`,
        body: { ...route, paths: [`/${orders}`, `/o-${language}`] },
      },
    ]);
    expect((await admin(`/services/${orders}`)).body).toMatchObject({
      id: serviceId,
      ...service,
      port: 9090,
    });
    expect((await admin(`/routes/${orders}`)).body).toMatchObject({
      id: routeId,
      paths: [`/${orders}`, `/o-${language}`],
      strip_path: true,
      service: { id: serviceId },
    });
    expect((await admin(`/services/${orders}/routes`)).body.data).toHaveLength(1);
  });

  it('passes the upstream host, route hosts, tags and strip_path false', async () => {
    kongProxy.reset();
    const users = name('users');
    const [result] = await run(language, [
      kongStep({
        name: users,
        host: 'users.internal',
        port: 9000,
        paths: ['/users'],
        hosts: ['api.local'],
        stripPath: false,
        tags: ['mkdev'],
      }),
    ]);
    expect(result).toMatchObject({ ok: true });
    const { serviceId } = (result?.value ?? {}) as { serviceId: string };
    expect(calls(kongProxy)).toEqual([
      {
        method: 'PUT',
        path: `/services/${users}`,
        body: { name: users, protocol: 'http', host: 'users.internal', port: 9000, tags: ['mkdev'] },
      },
      {
        method: 'PUT',
        path: `/routes/${users}`,
        body: {
          name: users,
          service: { id: serviceId },
          protocols: ['http', 'https'],
          paths: ['/users'],
          hosts: ['api.local'],
          strip_path: false,
          tags: ['mkdev'],
        },
      },
    ]);
    expect((await admin(`/routes/${users}`)).body).toMatchObject({ hosts: ['api.local'], strip_path: false });
  });

  it("a 400 fails at once with Kong's own message: no retry", async () => {
    kongProxy.reset();
    const bad = name('bad');
    const [result] = await run(language, [
      kongStep(
        { name: bad, port: 70000, paths: ['/bad'] },
        { attempts: 5, initialDelayMs: 50, maxDelayMs: 100 },
      ),
    ]);
    expect(result).toMatchObject({
      ok: false,
      registrationError: true,
      status: 400,
      attempts: 1,
      delaysMs: [],
    });
    expect(result?.message).toMatch(
      new RegExp(`^PUT ${kongProxy.url}/services/${bad} answered 400: schema violation \\(port: `),
    );
    expect(calls(kongProxy).map((c) => `${c.method} ${c.path}`)).toEqual([`PUT /services/${bad}`]);
    expect((await admin(`/services/${bad}`)).status).toBe(404);
  });

  it('retries anything else with exponential backoff, then succeeds', async () => {
    kongProxy.reset();
    kongProxy.failNext(3);
    const retried = name('retried');
    const [result] = await run(language, [
      kongStep(
        { name: retried, port: 8080, paths: [`/${retried}`] },
        { attempts: 6, initialDelayMs: 100, maxDelayMs: 1000 },
      ),
    ]);
    expect(result).toMatchObject({ ok: true, attempts: 4 });
    expectDelays(result?.delaysMs ?? [], [100, 200, 400]);
    expect(calls(kongProxy).map((c) => `${c.method} ${c.path}`)).toEqual([
      ...Array(4).fill(`PUT /services/${retried}`),
      `PUT /routes/${retried}`,
    ]);
    // The waits happened between the calls: each gap at least the wait asked for (less the jitter).
    const at = kongProxy.requests.map((r) => r.at);
    [100, 200, 400].forEach((wait, i) => {
      expect((at[i + 1] as number) - (at[i] as number)).toBeGreaterThanOrEqual(wait * 0.9 - 5);
    });
    expect((await admin(`/routes/${retried}`)).status).toBe(200);
  });

  it('an API that does not answer: a RegistrationError without status, retried until the attempts run out', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const [result] = await run(language, [
      {
        op: 'registerOnKong',
        args: { adminUrl: closed, name: 'x', port: 1, paths: ['/x'] },
        retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 40 },
      },
    ]);
    expect(result).toMatchObject({ ok: false, registrationError: true, status: null, attempts: 3 });
    expect(result?.message).toMatch(new RegExp(`^PUT ${closed}/services/x failed: .*(refused|REFUSED)`));
    expectDelays(result?.delaysMs ?? [], [20, 40]);
  });

  it('stops at the deadline: every wait fits in the time left', async () => {
    consulProxy.reset();
    consulProxy.failNext(1000);
    const [result] = await run(language, [
      {
        op: 'deregisterFromConsul',
        args: { consulUrl: consulProxy.url, id: name('late') },
        retry: { timeoutMs: 300, initialDelayMs: 50, maxDelayMs: 100 },
      },
    ]);
    consulProxy.failNext(0);
    expect(result).toMatchObject({ ok: false, registrationError: true, status: 503 });
    expect(result?.attempts).toBeGreaterThanOrEqual(2);
    expect(result?.attempts).toBe((result?.delaysMs.length ?? 0) + 1);
    const waited = (result?.delaysMs ?? []).reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(300 + (result?.delaysMs.length ?? 0));
  });

  it('unregisters from Kong, the Route then the Service, and again once they are gone', async () => {
    const gone = name('gone');
    await run(language, [kongStep({ name: gone, port: 8080, paths: [`/${gone}`] })]);
    kongProxy.reset();
    const results = await run(language, [
      { op: 'unregisterFromKong', args: { adminUrl: kongProxy.url, name: gone } },
      { op: 'unregisterFromKong', args: { adminUrl: kongProxy.url, name: gone } },
    ]);
    expect(results).toEqual([
      { ok: true, value: null, attempts: 1, delaysMs: [] },
      { ok: true, value: null, attempts: 1, delaysMs: [] },
    ]);
    expect(calls(kongProxy).map((c) => `${c.method} ${c.path} ${c.body}`)).toEqual(
      Array(2)
        .fill([`DELETE /routes/${gone} undefined`, `DELETE /services/${gone} undefined`])
        .flat(),
    );
    expect((await admin(`/services/${gone}`)).status).toBe(404);
    expect((await admin(`/routes/${gone}`)).status).toBe(404);
  });

  it('registers on Consul with an HTTP check that starts passing, and deregisters, twice', async () => {
    consulProxy.reset();
    const id = name('orders-1');
    const address = '127.0.0.1';
    const check = {
      http: `http://${address}:${healthzPort}/healthz`,
      interval: '2s',
      timeout: '1s',
      deregisterCriticalServiceAfter: '1m',
      status: 'passing',
    };
    const [registered] = await run(language, [
      {
        op: 'registerOnConsul',
        args: {
          consulUrl: consulProxy.url,
          id,
          name: name('orders'),
          address,
          port: healthzPort,
          tags: ['mkdev'],
          meta: { version: '1' },
          check,
        },
      },
    ]);
    expect(registered).toEqual({ ok: true, value: null, attempts: 1, delaysMs: [] });
    expect(calls(consulProxy)).toEqual([
      {
        method: 'PUT',
        path: '/v1/agent/service/register',
        body: {
          ID: id,
          Name: name('orders'),
          Address: address,
          Port: healthzPort,
          Tags: ['mkdev'],
          Meta: { version: '1' },
          Check: {
            HTTP: check.http,
            Interval: '2s',
            Timeout: '1s',
            DeregisterCriticalServiceAfter: '1m',
            Status: 'passing',
          },
        },
      },
    ]);
    expect(await consul(`/v1/agent/service/${id}`)).toMatchObject({
      ID: id,
      Service: name('orders'),
      Address: address,
      Port: healthzPort,
      Tags: ['mkdev'],
      Meta: { version: '1' },
    });
    const checks = Object.values(await consul('/v1/agent/checks')).filter(
      (c) => (c as { ServiceID: string }).ServiceID === id,
    );
    expect(checks).toEqual([expect.objectContaining({ Type: 'http', Status: 'passing', Interval: '2s' })]);
    // The catalog follows the agent by anti-entropy.
    await eventually(
      async () => ((await consul(`/v1/catalog/service/${name('orders')}`)).length === 1 ? true : undefined),
      10_000,
      'the catalog to list the instance',
    );

    consulProxy.reset();
    const deregistered = await run(language, [
      { op: 'deregisterFromConsul', args: { consulUrl: consulProxy.url, id } },
      { op: 'deregisterFromConsul', args: { consulUrl: consulProxy.url, id } },
    ]);
    expect(deregistered.map((r) => r.ok)).toEqual([true, true]);
    expect(calls(consulProxy)).toEqual(
      Array(2).fill({ method: 'PUT', path: `/v1/agent/service/deregister/${id}`, body: undefined }),
    );
    await eventually(
      async () => ((await consul(`/v1/catalog/service/${name('orders')}`)).length === 0 ? true : undefined),
      10_000,
      'the instance to leave the catalog',
    );
  });

  it('registers with a TCP check', async () => {
    consulProxy.reset();
    const id = name('tcp-1');
    const [result] = await run(language, [
      {
        op: 'registerOnConsul',
        args: {
          consulUrl: consulProxy.url,
          id,
          name: name('tcp'),
          address: '127.0.0.1',
          port: healthzPort,
          check: {
            tcp: `127.0.0.1:${healthzPort}`,
            interval: '5s',
            timeout: '1s',
            deregisterCriticalServiceAfter: '2m',
          },
        },
      },
      { op: 'deregisterFromConsul', args: { consulUrl: consulProxy.url, id } },
    ]);
    expect(result?.ok).toBe(true);
    expect(consulProxy.requests[0]?.body).toEqual({
      ID: id,
      Name: name('tcp'),
      Address: '127.0.0.1',
      Port: healthzPort,
      Check: {
        TCP: `127.0.0.1:${healthzPort}`,
        Interval: '5s',
        Timeout: '1s',
        DeregisterCriticalServiceAfter: '2m',
      },
    });
  });

  it("Consul's 400 for an invalid check fails at once, with Consul's text", async () => {
    consulProxy.reset();
    const [result] = await run(language, [
      {
        op: 'registerOnConsul',
        args: {
          consulUrl: consulProxy.url,
          id: name('invalid'),
          name: name('invalid'),
          address: '127.0.0.1',
          port: 1,
          check: {
            http: 'http://127.0.0.1:1/',
            interval: '0s',
            timeout: '1s',
            deregisterCriticalServiceAfter: '1m',
          },
        },
        retry: { attempts: 5, initialDelayMs: 50, maxDelayMs: 100 },
      },
    ]);
    expect(result).toMatchObject({ ok: false, registrationError: true, status: 400, attempts: 1 });
    expect(result?.message).toMatch(/\/v1\/agent\/service\/register answered 400: Invalid check: /);
    expect(consulProxy.requests).toHaveLength(1);
  });
});
