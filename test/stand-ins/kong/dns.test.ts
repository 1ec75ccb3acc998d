import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { json, type KongNode, runKong, startKong, waitFor } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';

let pg: TestPostgres;
let dns: TestDns;
let kong: KongNode;
let echo: Echo;

beforeAll(async () => {
  pg = await startPostgres();
  dns = await startDns();
  echo = await startEcho('x');
  // The Postgres host is a name too: it must go through the configured resolver.
  dns.records.set('db.service.consul', { a: ['127.0.0.1'] });
  dns.records.set('x.service.consul', {
    srv: [{ port: echo.port, target: '7f000001.addr.dc1.consul.' }],
    a: ['127.0.0.1'],
  });
  dns.records.set('7f000001.addr.dc1.consul', { a: ['127.0.0.1'] });
  const dbEnv = {
    ...(await freshDatabase(pg)),
    KONG_PG_HOST: 'db.service.consul',
    KONG_DNS_RESOLVER: `127.0.0.1:${dns.port}`,
  };
  const boot = await runKong(['migrations', 'bootstrap'], dbEnv);
  expect(boot.code, boot.stderr).toBe(0);
  kong = await startKong(dbEnv);
});
afterAll(async () => {
  await kong?.stop();
  await echo?.close();
  await dns?.close();
  await pg?.stop();
});

describe('DNS through KONG_DNS_RESOLVER', () => {
  it('resolved the Postgres host through the resolver', () => {
    expect(dns.queries.some((q) => q.name === 'db.service.consul')).toBe(true);
  });

  it('uses the SRV port for a service host, re-resolving per request (TTL 0), 503 once the name is gone', async () => {
    await kong.api('POST', '/services', { name: 'x', host: 'x.service.consul', port: 1 });
    await kong.api('POST', '/services/x/routes', { paths: ['/x'] });
    const body = await waitFor('proxy through SRV', async () => {
      const r = await fetch(`${kong.proxy}/x/hello`);
      return r.status === 200 ? json(r) : undefined;
    });
    expect(body.name).toBe('x');
    expect(body.url).toBe('/hello');
    expect(dns.queries.some((q) => q.name === 'x.service.consul' && q.type === 'SRV')).toBe(true);
    dns.records.delete('x.service.consul');
    const gone = await fetch(`${kong.proxy}/x/hello`);
    expect(gone.status).toBe(503);
    expect((await json(gone)).message).toBe('name resolution failed');
  });

  it('honours SRV priority: the lowest priority wins', async () => {
    const other = await startEcho('low');
    try {
      dns.records.set('p.service.consul', {
        srv: [
          { port: other.port, target: '7f000001.addr.dc1.consul.', priority: 1 },
          { port: echo.port, target: '7f000001.addr.dc1.consul.', priority: 5 },
        ],
      });
      await kong.api('POST', '/services', { name: 'p', host: 'p.service.consul' });
      await kong.api('POST', '/services/p/routes', { paths: ['/p'] });
      await waitFor('priority', async () => (await fetch(`${kong.proxy}/p`)).status === 200);
      for (let i = 0; i < 5; i++) expect((await json(await fetch(`${kong.proxy}/p`))).name).toBe('low');
    } finally {
      await other.close();
    }
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    dns.records.set('big.service.consul', {
      srv: [{ port: echo.port, target: '7f000001.addr.dc1.consul.' }],
    });
    dns.truncate.add('big.service.consul');
    await kong.api('POST', '/services', { name: 'big', host: 'big.service.consul' });
    await kong.api('POST', '/services/big/routes', { paths: ['/big'] });
    await waitFor('proxy via TCP answer', async () => (await fetch(`${kong.proxy}/big`)).status === 200);
    expect(dns.queries.some((q) => q.name === 'big.service.consul' && q.transport === 'tcp')).toBe(true);
  });

  it('upstream targets named by DNS take the SRV port', async () => {
    dns.records.set('t.service.consul', { srv: [{ port: echo.port, target: '7f000001.addr.dc1.consul.' }] });
    await kong.api('POST', '/upstreams', { name: 'dns.upstream' });
    await kong.api('POST', '/upstreams/dns.upstream/targets', { target: 't.service.consul:1' });
    await kong.api('POST', '/services', { name: 'viaup', host: 'dns.upstream' });
    await kong.api('POST', '/services/viaup/routes', { paths: ['/viaup'] });
    await waitFor('upstream via SRV', async () => (await fetch(`${kong.proxy}/viaup`)).status === 200);
  });
});
