import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { json, type KongNode, runKong, serviceWithRoute, startKong, waitFor } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';

let pg: TestPostgres;
let dns: TestDns;
let kong: KongNode;
let echo: Echo;
let env: Record<string, string>;

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
  env = dbEnv;
  // strict: a route is routed on the next request, so these tests are about DNS, not propagation
  kong = await startKong({ ...dbEnv, KONG_WORKER_CONSISTENCY: 'strict' });
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

  it('uses the SRV port; a TTL-0 answer is served stale once more while refreshed, then 503', async () => {
    await kong.api('POST', '/services', { name: 'x', host: 'x.service.consul', port: 1 });
    await kong.api('POST', '/services/x/routes', { paths: ['/x'] });
    const first = await fetch(`${kong.proxy}/x/hello`);
    expect(first.status).toBe(200);
    const body = await json(first);
    expect(body.name).toBe('x');
    expect(body.url).toBe('/hello');
    expect(dns.queries.some((q) => q.name === 'x.service.consul' && q.type === 'SRV')).toBe(true);
    dns.records.delete('x.service.consul');
    const before = dns.queries.filter((q) => q.name === 'x.service.consul').length;
    // Kong's client (dns_stale_ttl 3600): the expired answer still routes, a background query refreshes
    expect((await fetch(`${kong.proxy}/x/hello`)).status).toBe(200);
    await waitFor(
      'refresh query',
      async () => dns.queries.filter((q) => q.name === 'x.service.consul').length > before,
    );
    const gone = await waitFor('503', async () => {
      const r = await fetch(`${kong.proxy}/x/hello`);
      return r.status === 503 ? r : undefined;
    });
    expect((await json(gone)).message).toBe('name resolution failed');
  });

  it('a name Consul does not know yet stays "not found" for dns_not_found_ttl (30 s by default)', async () => {
    await serviceWithRoute(kong, 'late', { host: 'late.service.consul', port: 80 });
    const miss = await fetch(`${kong.proxy}/late`);
    expect(miss.status).toBe(503);
    const text = await miss.text();
    const id = miss.headers.get('x-kong-request-id');
    expect(text).toBe(`{\n  "message":"name resolution failed",\n  "request_id":"${id}"\n}`);
    const asked = dns.queries.filter((q) => q.name === 'late.service.consul').length;
    expect(asked).toBe(3); // SRV, A, CNAME: each NXDOMAIN
    // the instance registers (Consul answers now), but Kong keeps the cached name error
    dns.records.set('late.service.consul', {
      srv: [{ port: echo.port, target: '7f000001.addr.dc1.consul.' }],
    });
    for (let i = 0; i < 3; i++) expect((await fetch(`${kong.proxy}/late`)).status).toBe(503);
    expect(dns.queries.filter((q) => q.name === 'late.service.consul').length).toBe(asked);
    // a node with KONG_DNS_NOT_FOUND_TTL=1 recovers: the cached error expires, is refreshed, then routes
    dns.records.delete('late.service.consul');
    const short = await startKong({ ...env, KONG_DNS_NOT_FOUND_TTL: '1', KONG_WORKER_CONSISTENCY: 'strict' });
    try {
      expect((await fetch(`${short.proxy}/late`)).status).toBe(503);
      dns.records.set('late.service.consul', {
        srv: [{ port: echo.port, target: '7f000001.addr.dc1.consul.' }],
      });
      await waitFor(
        'recovered after dns_not_found_ttl',
        async () => (await fetch(`${short.proxy}/late`)).status === 200,
      );
    } finally {
      await short.stop();
    }
  });

  it('a DNS server failure is a 500 with the client error as message', async () => {
    dns.servfail.add('broken.service.consul');
    await serviceWithRoute(kong, 'broken', { host: 'broken.service.consul', port: 80 });
    const r = await fetch(`${kong.proxy}/broken`);
    expect(r.status).toBe(500);
    expect((await json(r)).message).toBe('dns server error: 2 server failure');
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
