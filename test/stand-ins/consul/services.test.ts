import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toggleServer, useInProcessAgent, waitFor } from './helpers.ts';

const t = useInProcessAgent();
let target: Awaited<ReturnType<typeof toggleServer>>;

type HealthEntry = {
  Service: { ID: string; Port: number };
  Checks: Array<{ CheckID: string; Status: string; Output: string }>;
};

beforeAll(async () => {
  target = await toggleServer();
});
afterAll(() => {
  target.server.close();
});

/** Resolves once anti-entropy has carried the agent's changes to the catalog the health API reads. */
const synced = (): Promise<void> => t.agent.state.catalog.whenSynced();

/** An agent API write, then a wait until the catalog shows it. */
async function put(path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${t.base}${path}`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  await synced();
  return res;
}

describe('agent services with a real HTTP check', () => {
  it('health ?passing follows the service being up or down', async () => {
    await t.consul.agent.service.register({
      name: 'orders',
      id: 'orders-1',
      address: '127.0.0.1',
      port: target.port,
      tags: ['v1'],
      check: { http: `http://127.0.0.1:${target.port}/health`, interval: '1s', timeout: '1s' } as never,
    });
    // The agent knows the service at once; the catalog (health API, DNS) once anti-entropy synced it.
    expect(Object.keys((await t.consul.agent.service.list()) as object)).toContain('orders-1');
    expect(await t.consul.health.service('orders')).toEqual([]);
    await synced();
    // Initial status is critical until the first run.
    const initial = (await t.consul.health.service('orders')) as HealthEntry[];
    expect(initial[0]?.Checks.map((c) => c.CheckID)).toEqual(['serfHealth', 'service:orders-1']);

    const passing = async (): Promise<HealthEntry[]> =>
      (await t.consul.health.service({ service: 'orders', passing: true })) as HealthEntry[];
    await waitFor(async () => (await passing()).length === 1, 10_000, 100);
    const [entry] = await passing();
    expect(entry?.Checks[1]?.Output).toContain('200 OK Output: ok');

    target.setHealthy(false);
    await waitFor(async () => (await passing()).length === 0, 10_000, 100);
    const all = (await t.consul.health.service('orders')) as HealthEntry[];
    expect(all[0]?.Checks[1]).toMatchObject({ Status: 'critical' });
    expect(all[0]?.Checks[1]?.Output).toContain('503 Service Unavailable');

    target.setHealthy(true);
    await waitFor(async () => (await passing()).length === 1, 10_000, 100);
  });

  it('lists services in the catalog and the agent', async () => {
    const services = (await t.consul.catalog.service.list()) as Record<string, string[]>;
    expect(services).toMatchObject({ consul: [], orders: ['v1'] });
    const nodes = (await t.consul.catalog.service.nodes('orders')) as Array<Record<string, unknown>>;
    expect(nodes[0]).toMatchObject({
      ServiceID: 'orders-1',
      ServiceName: 'orders',
      ServicePort: target.port,
      ServiceTags: ['v1'],
    });
    expect(await t.consul.catalog.service.nodes('nope')).toEqual([]);
    // Service names match case-insensitively; other datacenters are unreachable.
    expect(((await (await fetch(`${t.base}/catalog/service/ORDERS`)).json()) as unknown[]).length).toBe(1);
    const otherDc = await fetch(`${t.base}/catalog/service/orders?dc=dc2`);
    expect([otherDc.status, await otherDc.text()]).toEqual([500, 'No path to datacenter']);
    const agentServices = (await t.consul.agent.service.list()) as Record<string, unknown>;
    expect(Object.keys(agentServices)).toContain('orders-1');
    expect(Object.keys(agentServices)).not.toContain('consul');
    // What mkdev's registrator asks before registering a container: does this instance exist?
    const one = await fetch(`${t.base}/agent/service/orders-1`);
    expect([one.status, ((await one.json()) as { ID: string }).ID]).toEqual([200, 'orders-1']);
    const none = await fetch(`${t.base}/agent/service/orders-9`);
    expect([none.status, await none.text()]).toEqual([404, 'unknown service ID: orders-9']);
  });

  it('a re-registered check keeps its last status, whatever Status or type the new definition says', async () => {
    // Consul's addServiceInternal restores status and output from the agent's check snapshot: an
    // initial Status only applies to a check ID the agent does not know yet.
    const register = (check: Record<string, string>) =>
      put('/agent/service/register', { ID: 'rereg-1', Name: 'rereg', Port: 1, Check: check });
    expect((await register({ TTL: '30s' })).status).toBe(200);
    const status = async () =>
      ((await (await fetch(`${t.base}/agent/checks`)).json()) as Record<string, { Status: string }>)[
        'service:rereg-1'
      ]?.Status;
    expect(await status()).toBe('critical');
    expect((await register({ TTL: '30s', Status: 'passing' })).status).toBe(200);
    expect(await status()).toBe('critical');
    expect((await register({ TCP: '127.0.0.1:1', Interval: '1h', Status: 'passing' })).status).toBe(200);
    expect(await status()).toBe('critical');
    expect((await put('/agent/service/deregister/rereg-1')).status).toBe(200);
    expect((await register({ TTL: '30s', Status: 'passing' })).status).toBe(200);
    expect(await status()).toBe('passing');
    expect((await put('/agent/service/deregister/rereg-1')).status).toBe(200);
  });

  it('accepts snake_case keys, TTL checks and check pass/fail', async () => {
    const res = await put('/agent/service/register', {
      name: 'ttl-svc',
      port: 1234,
      enable_tag_override: true,
      checks: [{ ttl: '30s', check_id: 'ttl-svc-ttl', deregister_critical_service_after: '10s' }],
    });
    expect(res.status).toBe(200);
    const checks = (await (await fetch(`${t.base}/agent/checks`)).json()) as Record<
      string,
      { Status: string }
    >;
    expect(checks['ttl-svc-ttl']?.Status).toBe('critical');
    expect((await put('/agent/check/pass/ttl-svc-ttl?note=fine')).status).toBe(200);
    const state = (await (await fetch(`${t.base}/health/checks/ttl-svc`)).json()) as Array<{
      Status: string;
      Output: string;
    }>;
    expect(state[0]).toMatchObject({ Status: 'passing', Output: 'fine' });
    expect((await put('/agent/check/fail/ttl-svc-ttl')).status).toBe(200);
    const critical = (await (await fetch(`${t.base}/health/state/critical`)).json()) as Array<{
      CheckID: string;
    }>;
    expect(critical.map((c) => c.CheckID)).toContain('ttl-svc-ttl');
    // DeregisterCriticalServiceAfter is raised to 1m; the reaper removes the service once exceeded.
    t.agent.state.checks.reap(Date.now() + 59_000);
    expect(t.agent.state.catalog.services.has('ttl-svc')).toBe(true);
    t.agent.state.checks.reap(Date.now() + 61_000);
    expect(t.agent.state.catalog.services.has('ttl-svc')).toBe(false);
  });

  it('a blocking health query returns when a check changes', async () => {
    await put('/agent/service/register', { Name: 'blocky', Check: { TTL: '30s', CheckID: 'blocky-ttl' } });
    const first = await fetch(`${t.base}/health/service/blocky`);
    const index = first.headers.get('x-consul-index');
    const pending = fetch(`${t.base}/health/service/blocky?passing&index=${index}&wait=10s`);
    await put('/agent/check/pass/blocky-ttl');
    const res = await pending;
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(Number(index));
    expect(((await res.json()) as unknown[]).length).toBe(1);
    // The agent-local health endpoint maps the aggregate status to 200/429/503.
    const byName = await fetch(`${t.base}/agent/health/service/name/blocky?format=text`);
    expect([byName.status, await byName.text()]).toEqual([200, 'passing']);
    await put('/agent/check/warn/blocky-ttl');
    expect((await fetch(`${t.base}/agent/health/service/id/blocky`)).status).toBe(429);
    expect((await fetch(`${t.base}/agent/health/service/name/nobody`)).status).toBe(404);
  });

  it('refuses what Consul refuses', async () => {
    const badPassing = await fetch(`${t.base}/health/service/orders?passing=maybe`);
    expect([badPassing.status, await badPassing.text()]).toEqual([400, 'Invalid value for ?passing']);
    // Go's strconv.ParseBool: "0" means false, so every instance comes back.
    const notFiltered = (await (
      await fetch(`${t.base}/health/service/orders?passing=0`)
    ).json()) as unknown[];
    expect(notFiltered.length).toBe(1);
    const noName = await put('/agent/service/register', { Port: 80 });
    expect([noName.status, await noName.text()]).toEqual([400, 'Missing service name']);
    const badJson = await put('/agent/service/register', '{"Name": ');
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).toMatch(/^Request decode failed: /);
    const badPort = await put('/agent/service/register', { Name: 'x', Port: 'eighty' });
    expect(badPort.status).toBe(400);
    const noInterval = await put('/agent/service/register', {
      Name: 'x',
      Check: { HTTP: 'http://127.0.0.1/' },
    });
    expect(await noInterval.text()).toBe(
      'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks',
    );
    const unknown = await put('/agent/service/deregister/not-there');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Unknown service "not-there"');
    const unknownCheck = await put('/agent/check/pass/not-there');
    expect([unknownCheck.status, await unknownCheck.text()]).toEqual([500, 'Unknown check "not-there"']);
    const anyAddress = await put('/agent/service/register', { Name: 'x', Address: '0.0.0.0' });
    expect([anyAddress.status, await anyAddress.text()]).toEqual([400, 'Invalid service address']);
    const noCheckName = await put('/agent/check/register', { TTL: '10s' });
    expect([noCheckName.status, await noCheckName.text()]).toEqual([400, 'Missing check name']);
    const orphan = await put('/agent/check/register', { Name: 'c', TTL: '10s', ServiceID: 'ghost' });
    expect([orphan.status, await orphan.text()]).toEqual([404, 'ServiceID "ghost" does not exist']);
    const empty = await fetch(`${t.base}/agent/service/register`, { method: 'PUT' });
    expect([empty.status, await empty.text()]).toEqual([400, 'Request decode failed: EOF']);
    expect((await fetch(`${t.base}/agent/service/register`)).status).toBe(405);
    expect((await fetch(`${t.base}/no/such/endpoint`)).status).toBe(404);
    expect((await fetch(`${t.base}/health/state/bogus`)).status).toBe(400);
  });

  it('deregisters with the npm client', async () => {
    await t.consul.agent.service.register({ name: 'gone', port: 1 });
    await synced();
    expect(((await t.consul.catalog.service.nodes('gone')) as unknown[]).length).toBe(1);
    await t.consul.agent.service.deregister('gone');
    await synced();
    expect(await t.consul.catalog.service.nodes('gone')).toEqual([]);
    await expect(t.consul.agent.service.deregister('gone')).rejects.toThrow();
  });

  it('reports status, self and a TCP check', async () => {
    expect(await t.consul.status.leader()).toBe('127.0.0.1:8300');
    expect(await t.consul.status.peers()).toEqual(['127.0.0.1:8300']);
    const self = (await t.consul.agent.self()) as { Config: Record<string, unknown> };
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', Version: expect.stringMatching(/^1\.20\./) });
    await put('/agent/service/register', {
      Name: 'tcp-svc',
      Port: target.port,
      Check: { TCP: `127.0.0.1:${target.port}`, Interval: '1s' },
    });
    await waitFor(
      async () => {
        const list = (await (
          await fetch(`${t.base}/health/service/tcp-svc?passing`)
        ).json()) as HealthEntry[];
        return list[0]?.Checks[1]?.Output.startsWith('TCP connect');
      },
      10_000,
      100,
    );
  });
});
