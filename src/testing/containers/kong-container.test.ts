import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/cli.ts';
import { KONG_DB, startKongOnPostgres, testImage } from '../../../test/support/test-images.ts';
import { isDnsServerAddress } from './dns-resolver.ts';
import { KongContainer, type StartedKongContainer } from './kong-container.ts';

describe('KongContainer configuration', () => {
  it('refuses a host name as DNS resolver before anything starts', () => {
    const kong = new KongContainer();
    expect(() => kong.withDnsResolver('consul:8600')).toThrow(
      "Kong's dns_resolver takes IP addresses (IPv4/6 or IPv4/6:port), got 'consul:8600'",
    );
    expect(() => kong.withDnsResolver('172.20.0.3:8600,consul')).toThrow(/got 'consul'/);
  });

  it('accepts what Kong accepts: IPv4/6 with an optional port, comma-separated', () => {
    expect(() => new KongContainer().withDnsResolver('172.20.0.3:8600, 127.0.0.11')).not.toThrow();
    for (const ok of ['10.0.0.1', '10.0.0.1:53', '::1', '[::1]', '[fd00::3]:8600']) {
      expect(isDnsServerAddress(ok), ok).toBe(true);
    }
    for (const bad of [
      'consul',
      'consul:8600',
      '10.0.0.1:0',
      '10.0.0.1:70000',
      '[::1]:',
      'fd00::zz',
      '[10.0.0.1]:53',
      '',
    ]) {
      expect(isDnsServerAddress(bad), bad).toBe(false);
    }
  });

  it('refuses to start without a database', async () => {
    await expect(new KongContainer().start()).rejects.toThrow(/withPostgres/);
  });
});

describe('KongContainer on Postgres', () => {
  let network: StartedNetwork | undefined;
  let postgres: StartedTestContainer | undefined;
  let kong: StartedKongContainer | undefined;

  beforeAll(async () => {
    network = await new Network().start();
    ({ postgres, kong } = await startKongOnPostgres(network));
  });

  afterAll(async () => {
    await kong?.stop();
    await postgres?.stop();
    await network?.stop();
  });

  const started = (): StartedKongContainer => {
    if (!kong) throw new Error('Kong did not start');
    return kong;
  };

  const admin = (path: string, body?: unknown): Promise<Response> =>
    fetch(`${started().getAdminUrl()}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  it('is ready on the status listener', async () => {
    const response = await fetch(`${started().getStatusUrl()}/status/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ message: 'ready' });
  });

  it('answers the Admin API with version 3.9.x', async () => {
    const response = await admin('/');
    expect(response.status).toBe(200);
    expect((await response.json()) as { version: string }).toMatchObject({
      version: expect.stringMatching(/^3\.9\./),
    });
  });

  it('creates a service and a route through the Admin API, and proxies the route', async () => {
    // The service is Kong's own Admin API, inside the container: a live upstream without another container.
    const service = await admin('/services', { name: 'kong-admin', url: 'http://127.0.0.1:8001' });
    expect(service.status).toBe(201);
    const route = await admin('/services/kong-admin/routes', { name: 'admin-route', paths: ['/via-proxy'] });
    expect(route.status).toBe(201);
    expect(await route.json()).toMatchObject({ name: 'admin-route', paths: ['/via-proxy'] });

    // In database mode each worker rebuilds its router in the background (worker_state_update_frequency,
    // 5 s by default), so a new route is served a few seconds after the Admin API accepted it.
    const proxied = await eventually(
      async () => {
        const response = await fetch(`${started().getProxyUrl()}/via-proxy`);
        if (response.status === 200) return response;
        await response.body?.cancel();
        return undefined;
      },
      30_000,
      'the new route on the proxy',
    );
    expect(proxied.status).toBe(200);
    expect((await proxied.json()) as { version: string }).toMatchObject({
      version: expect.stringMatching(/^3\.9\./),
    });
  });

  it("answers an unknown path on the proxy with Kong's 404", async () => {
    const response = await fetch(`${started().getProxyUrl()}/no-such-route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: 'no Route matched with those values' });
  });

  it("fails start() as soon as the bootstrap fails, with Kong's log", async () => {
    if (!network) throw new Error('no network');
    const failing = new KongContainer(await testImage('kong:3.9'))
      .withNetwork(network)
      .withPostgres({ host: 'no-such-database', ...KONG_DB })
      .start();
    // "Container exited", not the 120 s startup timeout's error: the wait ended when the container exited.
    await expect(failing).rejects.toThrow(/Container exited[\s\S]*PostgreSQL/);
  });
});
