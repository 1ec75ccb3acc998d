import { promises as dns } from 'node:dns';
import Consul from 'consul';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/cli.ts';
import { testImage } from '../../../test/support/test-images.ts';
import { ConsulContainer, hasLeader, type StartedConsulContainer } from './consul-container.ts';

describe('hasLeader', () => {
  it('is true only for a non-empty JSON string', () => {
    expect(hasLeader('"172.20.0.3:8300"')).toBe(true);
    expect(hasLeader('""')).toBe(false);
    expect(hasLeader('')).toBe(false);
    expect(hasLeader('No cluster leader')).toBe(false);
  });
});

describe('ConsulContainer', () => {
  let consul: StartedConsulContainer | undefined;

  beforeAll(async () => {
    consul = await new ConsulContainer(await testImage('hashicorp/consul:1.20'))
      .withKeyValue('seeded/by', 'withKeyValue')
      .start();
  });

  afterAll(async () => {
    await consul?.stop();
  });

  const started = (): StartedConsulContainer => {
    if (!consul) throw new Error('Consul did not start');
    return consul;
  };

  it('is started with a leader elected', async () => {
    const response = await fetch(`${started().getHttpUrl()}/v1/status/leader`);
    expect(response.status).toBe(200);
    expect(hasLeader(await response.text())).toBe(true);
  });

  it('writes withKeyValue() entries before start() resolves', async () => {
    expect(await started().getKv('seeded/by')).toBe('withKeyValue');
    expect(await started().getKv('no/such/key')).toBeUndefined();
  });

  it('puts and gets KV through the consul npm client', async () => {
    const url = new URL(started().getHttpUrl());
    const client = new Consul({ host: url.hostname, port: Number(url.port) });
    expect(await client.kv.set('mkdev/test', 'from the consul client')).toBe(true);
    expect((await client.kv.get('mkdev/test'))?.Value).toBe('from the consul client');
    expect(await started().getKv('mkdev/test')).toBe('from the consul client');

    await started().putKv('mkdev/helper', 'from putKv');
    expect((await client.kv.get('mkdev/helper'))?.Value).toBe('from putKv');
  });

  it('publishes the DNS interface on a UDP port', async () => {
    const port = started().getDnsPort();
    expect(port).toBeGreaterThan(0);
    const { address } = await dns.lookup(started().getHost(), { family: 4 });
    const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([`${address}:${port}`]);
    // Dev mode binds 127.0.0.1, so Consul's own service answers with it.
    expect(await resolver.resolve4('consul.service.consul')).toEqual(['127.0.0.1']);
  });
});

describe('ConsulContainer.withServerMode', () => {
  let consul: StartedConsulContainer | undefined;

  afterAll(async () => {
    await consul?.stop();
  });

  it('runs a single self-elected server that keeps KV across a restart', async () => {
    const server = await new ConsulContainer(await testImage('hashicorp/consul:1.20'))
      .withServerMode()
      .withKeyValue('kept', 'across restarts')
      .start();
    consul = server;
    await server.restart();
    // After a restart the agent needs a moment to re-elect itself; reads fail until then.
    const value = await eventually(() => server.getKv('kept'), 30_000, 'the KV read after the restart');
    expect(value).toBe('across restarts');
  });
});
