// The register library against the stand-in *containers* (the images mkdev runs in place of kong:3.9 and
// hashicorp/consul:1.20 here, the official images where MKDEV_IMAGES says so): Kong on Postgres,
// bootstrapped by KongContainer, and a dev-mode Consul agent.
import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/cli.ts';
import { startKongOnPostgres, testImage } from '../../test/support/test-images.ts';
import { ConsulContainer, type StartedConsulContainer } from '../testing/containers/consul-container.ts';
import type { StartedKongContainer } from '../testing/containers/kong-container.ts';
import {
  deregisterFromConsul,
  RegistrationError,
  registerOnConsul,
  registerOnKong,
  unregisterFromKong,
} from './index.ts';

describe('against the Kong and Consul containers', () => {
  let network: StartedNetwork | undefined;
  let postgres: StartedTestContainer | undefined;
  let kong: StartedKongContainer | undefined;
  let consul: StartedConsulContainer | undefined;

  beforeAll(async () => {
    network = await new Network().start();
    let kongOnPostgres: Awaited<ReturnType<typeof startKongOnPostgres>>;
    [kongOnPostgres, consul] = await Promise.all([
      startKongOnPostgres(network),
      new ConsulContainer(await testImage('hashicorp/consul:1.20')).start(),
    ]);
    ({ postgres, kong } = kongOnPostgres);
  });

  afterAll(async () => {
    await kong?.stop();
    await consul?.stop();
    await postgres?.stop();
    await network?.stop();
  });

  const adminUrl = () => kong?.getAdminUrl() ?? '';
  const consulUrl = () => consul?.getHttpUrl() ?? '';
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
  const get = async (url: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(url);
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  };

  it('upserts the Kong service and route by name; a second run updates them in place', async () => {
    const first = await registerOnKong({
      adminUrl: adminUrl(),
      name: 'orders',
      port: 8080,
      paths: ['/orders'],
    });
    const again = await registerOnKong({
      adminUrl: adminUrl(),
      name: 'orders',
      port: 9090,
      paths: ['/orders', '/o'],
    });
    expect(again).toEqual(first);
    expect((await get(`${adminUrl()}/services/orders`)).body).toMatchObject({
      id: first.serviceId,
      host: 'orders.service.consul',
      port: 9090,
      protocol: 'http',
    });
    expect((await get(`${adminUrl()}/routes/orders`)).body).toMatchObject({
      id: first.routeId,
      paths: ['/orders', '/o'],
      strip_path: true,
      service: { id: first.serviceId },
    });
    expect((await get(`${adminUrl()}/routes`)).body.data).toHaveLength(1);
  });

  it("reports Kong's own error body", async () => {
    const error = await registerOnKong({
      adminUrl: adminUrl(),
      name: 'bad',
      port: 70000,
      paths: ['/bad'],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/PUT .*\/services\/bad answered 400: schema violation/);
  });

  it('unregisters from Kong, also when already gone', async () => {
    await registerOnKong({ adminUrl: adminUrl(), name: 'gone', port: 8080, paths: ['/gone'] });
    await unregisterFromKong({ adminUrl: adminUrl(), name: 'gone' });
    await unregisterFromKong({ adminUrl: adminUrl(), name: 'gone' });
    expect((await get(`${adminUrl()}/services/gone`)).status).toBe(404);
  });

  it('registers on Consul with a check and deregisters, also when already gone', async () => {
    await registerOnConsul({
      consulUrl: consulUrl(),
      id: 'orders-1',
      name: 'orders',
      address: '10.1.2.3',
      port: 8080,
      meta: { version: '1' },
      check: { tcp: '10.1.2.3:8080', interval: '2s', timeout: '1s', deregisterCriticalServiceAfter: '1m' },
    });
    // The agent answers from its local state at once; the catalog follows by anti-entropy.
    const health = async () => (await get(`${consulUrl()}/v1/health/service/orders`)).body;
    const [instance] = await eventually(
      async () => ((await health()).length > 0 ? health() : undefined),
      10_000,
      'the health API to list orders-1',
    );
    expect(instance.Service).toMatchObject({
      ID: 'orders-1',
      Address: '10.1.2.3',
      Port: 8080,
      Meta: { version: '1' },
    });
    expect(instance.Checks.map((c: { ServiceID: string }) => c.ServiceID)).toContain('orders-1');
    await deregisterFromConsul({ consulUrl: consulUrl(), id: 'orders-1' });
    await deregisterFromConsul({ consulUrl: consulUrl(), id: 'orders-1' });
    expect(
      await eventually(
        async () => ((await health()).length === 0 ? [] : undefined),
        10_000,
        'orders-1 to leave the catalog',
      ),
    ).toEqual([]);
  });
});
