import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess } from '../../test/stand-ins/consul/helpers.ts';
import type { AgentHandle } from '../../test/stand-ins/consul/src/agent.ts';
import { type Env, setupKong } from '../../test/stand-ins/kong/helpers/setup.ts';
import { eventually } from '../../test/support/cli.ts';
import {
  deregisterFromConsul,
  RegistrationError,
  registerOnConsul,
  registerOnKong,
  unregisterFromKong,
} from './index.ts';

describe('against the Kong stand-in', () => {
  let env: Env | undefined;
  beforeAll(async () => {
    env = await setupKong();
  });
  afterAll(async () => {
    await env?.kong.stop();
    if (env) await env.pg.stop();
  });

  it('upserts service and route, idempotently', async () => {
    const adminUrl = env?.kong.admin ?? '';
    const options = { adminUrl, name: 'orders', port: 8080, paths: ['/orders'] };
    const first = await registerOnKong(options);
    const second = await registerOnKong(options);
    expect(second).toEqual(first);
    const service = await (await fetch(`${adminUrl}/services/orders`)).json();
    expect(service).toMatchObject({
      name: 'orders',
      host: 'orders.service.consul',
      port: 8080,
      protocol: 'http',
    });
    const route = await (await fetch(`${adminUrl}/routes/orders`)).json();
    expect(route).toMatchObject({
      name: 'orders',
      paths: ['/orders'],
      strip_path: true,
      service: { id: first.serviceId },
    });
    const routes = (await (await fetch(`${adminUrl}/services/orders/routes`)).json()) as { data: unknown[] };
    expect(routes.data).toHaveLength(1);
  });

  it("surfaces Kong's schema violation", async () => {
    const error = await registerOnKong({
      adminUrl: env?.kong.admin ?? '',
      name: 'bad',
      port: 70000,
      paths: ['/bad'],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/answered 400: schema violation/);
  });

  it('unregisters route and service, and again when they are gone', async () => {
    const adminUrl = env?.kong.admin ?? '';
    await registerOnKong({ adminUrl, name: 'gone', port: 8080, paths: ['/gone'] });
    await unregisterFromKong({ adminUrl, name: 'gone' });
    await unregisterFromKong({ adminUrl, name: 'gone' });
    expect((await fetch(`${adminUrl}/services/gone`)).status).toBe(404);
    expect((await fetch(`${adminUrl}/routes/gone`)).status).toBe(404);
  });
});

describe('against the Consul stand-in', () => {
  let agent: AgentHandle;
  beforeAll(async () => {
    agent = await startInProcess();
  });
  afterAll(() => agent.stop());

  it('registers with a check and deregisters (twice)', async () => {
    const consulUrl = `http://127.0.0.1:${agent.httpPort}`;
    await registerOnConsul({
      consulUrl,
      id: 'orders-test',
      name: 'orders',
      address: '127.0.0.1',
      port: 8080,
      tags: ['mkdev'],
      check: {
        http: 'http://127.0.0.1:1/healthz',
        interval: '2s',
        timeout: '1s',
        deregisterCriticalServiceAfter: '1m',
      },
    });
    // The agent answers from its local state at once; the catalog follows by anti-entropy.
    const listed = async () =>
      (await (await fetch(`${consulUrl}/v1/catalog/service/orders`)).json()) as unknown[];
    const catalog = await eventually(
      async () => ((await listed()).length > 0 ? listed() : undefined),
      10_000,
      'the catalog to list orders-test',
    );
    expect(catalog).toEqual([
      expect.objectContaining({
        ServiceID: 'orders-test',
        ServiceAddress: '127.0.0.1',
        ServicePort: 8080,
        ServiceTags: ['mkdev'],
      }),
    ]);
    const checks = (await (await fetch(`${consulUrl}/v1/agent/checks`)).json()) as Record<string, unknown>;
    expect(Object.values(checks)).toEqual([
      expect.objectContaining({ ServiceID: 'orders-test', Type: 'http' }),
    ]);
    await deregisterFromConsul({ consulUrl, id: 'orders-test' });
    await deregisterFromConsul({ consulUrl, id: 'orders-test' });
    expect(
      await eventually(
        async () => ((await listed()).length === 0 ? [] : undefined),
        10_000,
        'orders-test to leave the catalog',
      ),
    ).toEqual([]);
  });
});
