// Kong's retries resolve from the DNS cache only (kong/runloop/balancer/init.lua:298-302, :374;
// kong/resty/dns/client.lua:925-940): with Consul's TTL-0 answers and dns_stale_ttl 0 nothing is ever
// cached, so a retry has nothing to use and the request ends in `ngx.exit(500)`, Kong's error page
// "An unexpected error occurred" (kong/init.lua Kong.balancer, kong/error_handlers.lua). With a stale
// TTL the retry reuses the answer of the first try and its weighted round-robin picks the other
// instance. The test DNS server lists the dead instance first, which roundRobinW's first pick trusts.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { type KongNode, runKong, startKong } from './helpers/kong.ts';
import { REFUSED_PORT, startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';

let pg: TestPostgres;
let dns: TestDns;
let alive: Echo;
const deadPort = REFUSED_PORT; // nothing listens: connection refused
let dbEnv: Record<string, string>;
const nodes: KongNode[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  dns = await startDns();
  alive = await startEcho('alive');
  dns.records.set('7f000001.addr.dc1.consul', { a: ['127.0.0.1'] });
  dns.records.set('two.service.consul', {
    srv: [
      { port: deadPort, target: '7f000001.addr.dc1.consul.' },
      { port: alive.port, target: '7f000001.addr.dc1.consul.' },
    ],
  });
  dns.records.set('one.service.consul', { srv: [{ port: deadPort, target: '7f000001.addr.dc1.consul.' }] });
  dbEnv = { ...(await freshDatabase(pg)), KONG_DNS_RESOLVER: `127.0.0.1:${dns.port}` };
  const boot = await runKong(['migrations', 'bootstrap'], dbEnv);
  expect(boot.code, boot.stderr).toBe(0);
  const setup = await startKong({ ...dbEnv, KONG_WORKER_CONSISTENCY: 'strict' });
  nodes.push(setup);
  for (const name of ['two', 'one']) {
    await setup.api('PUT', `/services/${name}`, { host: `${name}.service.consul`, port: 80 });
    await setup.api('PUT', `/routes/${name}`, { service: { name }, paths: [`/${name}`] });
  }
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await alive?.close();
  await dns?.close();
  await pg?.stop();
});

const kongWith = async (env: Record<string, string>) => {
  const node = await startKong({ ...dbEnv, ...env });
  nodes.push(node);
  return node;
};
const asked = (name: string) => dns.queries.filter((q) => q.name === name).length;

describe('retries resolve from the DNS cache only', () => {
  it('dns_stale_ttl 0 and a TTL-0 answer: the retry finds nothing cached, 500 from the error page', async () => {
    const kong = await kongWith({ KONG_DNS_STALE_TTL: '0' });
    const before = asked('two.service.consul');
    const r = await fetch(`${kong.proxy}/two`, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(500);
    const id = r.headers.get('x-kong-request-id');
    expect(await r.text()).toBe(`{\n  "message":"An unexpected error occurred",\n  "request_id":"${id}"\n}`);
    // the error page of a request Kong set out to proxy: a proxied response's headers
    expect(r.headers.get('via')).toBe('1.1 kong/3.9.1');
    expect(r.headers.get('server')).toBe('kong/3.9.1');
    expect(r.headers.get('x-kong-upstream-latency')).not.toBeNull();
    expect(r.headers.get('x-kong-response-latency')).toBeNull();
    // only the first try asked the server (SRV); the retry asked nobody
    expect(asked('two.service.consul') - before).toBe(1);
    expect(kong.logs()).toContain(
      "failed to retry the dns/balancer resolver for two.service.consul' with: dns server error: 100 cache only lookup failed",
    );
    // without Accept (or Content-Type) the page is error_default_type, text/plain
    const plain = await request(`${kong.proxy}/two`);
    expect(plain.statusCode).toBe(500);
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(await plain.body.text()).toBe(
      `An unexpected error occurred\nrequest_id: ${plain.headers['x-kong-request-id']}\n`,
    );
  });

  it('a stale TTL keeps the first answer for the retry: the other instance answers', async () => {
    const kong = await kongWith({ KONG_DNS_STALE_TTL: '2' });
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${kong.proxy}/two`);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-upstream')).toBe('alive');
    }
  });

  it('one instance, dead: every try fails, 502 from the error page (never 500)', async () => {
    const kong = await kongWith({ KONG_DNS_STALE_TTL: '2' });
    const r = await fetch(`${kong.proxy}/one`, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(502);
    expect(JSON.parse(await r.text()).message).toBe(
      'An invalid response was received from the upstream server',
    );
    expect(r.headers.get('via')).toBe('1.1 kong/3.9.1');
    // dns_stale_ttl 0: the first retry already has nothing to resolve
    const strict = await kongWith({ KONG_DNS_STALE_TTL: '0' });
    expect((await fetch(`${strict.proxy}/one`)).status).toBe(500);
  });
});
