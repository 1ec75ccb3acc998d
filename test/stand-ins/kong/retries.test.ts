// Kong's retries resolve from the DNS cache only (kong/runloop/balancer/init.lua:298-302, :374;
// kong/resty/dns/client.lua:925-940): with Consul's TTL-0 answers and dns_stale_ttl 0 nothing is ever
// cached, so a retry has nothing to use and the request ends in `ngx.exit(500)`, Kong's error page
// "An unexpected error occurred" (kong/init.lua Kong.balancer, kong/error_handlers.lua). With a stale
// TTL the retry reuses the answer of the first try and its weighted round-robin picks the other
// instance. The test DNS server lists the dead instance first, which roundRobinW's first pick trusts.
// The stale answer is kept dns_stale_ttl after it was last refreshed, not for as long as a request
// lasts: a try that outlasts it leaves its retry nothing to use (client.lua:247, :262, :930-940).
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { type KongNode, runKong, serviceWithRoute, startKong } from './helpers/kong.ts';
import { REFUSED_PORT, startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';

let pg: TestPostgres;
let dns: TestDns;
let alive: Echo;
/** Accepts connections and never answers: every try on it ends at the service's read_timeout. */
let silent: Server;
const held: Socket[] = [];
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
  silent = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  dns.records.set('slow.service.consul', {
    srv: [{ port: silentPort, target: '7f000001.addr.dc1.consul.' }],
  });
  dbEnv = { ...(await freshDatabase(pg)), KONG_DNS_RESOLVER: `127.0.0.1:${dns.port}` };
  const boot = await runKong(['migrations', 'bootstrap'], dbEnv);
  expect(boot.code, boot.stderr).toBe(0);
  const setup = await startKong({ ...dbEnv, KONG_WORKER_CONSISTENCY: 'strict' });
  nodes.push(setup);
  for (const name of ['two', 'one']) await consulService(setup, name);
  // one retry; each try gives up after 1.5 s without an answer (nginx retries a timeout: proxy_next_upstream)
  await consulService(setup, 'slow', { retries: 1, read_timeout: 1500 });
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await alive?.close();
  for (const socket of held) socket.destroy();
  silent?.close();
  await dns?.close();
  await pg?.stop();
});

const kongWith = async (env: Record<string, string>) => {
  const node = await startKong({ ...dbEnv, ...env });
  nodes.push(node);
  return node;
};
const asked = (name: string) => dns.queries.filter((q) => q.name === name).length;
/** Kong service `name` at `<name>.service.consul` (resolved through the test DNS), and its route /<name>. */
const consulService = (node: KongNode, name: string, settings: Record<string, unknown> = {}) =>
  serviceWithRoute(node, name, { host: `${name}.service.consul`, port: 80, ...settings });

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
    // Any stale TTL longer than a try keeps the answer: 10 s, not 2, so that a try slowed by a loaded
    // machine does not outlast it (2 s lost this test once under load).
    const kong = await kongWith({ KONG_DNS_STALE_TTL: '10' });
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${kong.proxy}/two`);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-upstream')).toBe('alive');
    }
  });

  it('one instance, dead: every try fails, 502 from the error page (never 500)', async () => {
    const kong = await kongWith({ KONG_DNS_STALE_TTL: '10' });
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

  it('a try that outlasts dns_stale_ttl: the answer left the cache, the retry ends in 500', async () => {
    // dns_stale_ttl 1: the first try's answer (TTL 0) leaves the cache 1 s after it came; its try
    // waits 1.5 s, and the retry's cache-only lookup finds nothing
    const short = await kongWith({ KONG_DNS_STALE_TTL: '1' });
    const before = asked('slow.service.consul');
    const r = await fetch(`${short.proxy}/slow`, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(500);
    expect(JSON.parse(await r.text()).message).toBe('An unexpected error occurred');
    expect(asked('slow.service.consul') - before).toBe(1);
    expect(short.logs()).toContain(
      "failed to retry the dns/balancer resolver for slow.service.consul' with: dns server error: 100 cache only lookup failed",
    );
    // dns_stale_ttl 5 outlasts the try: the retry has the answer, waits too, and the request is the 504
    const long = await kongWith({ KONG_DNS_STALE_TTL: '5' });
    const t = await fetch(`${long.proxy}/slow`, { headers: { accept: 'application/json' } });
    expect(t.status).toBe(504);
    expect(JSON.parse(await t.text()).message).toBe('The upstream server is timing out');
  });

  it('a connect that gets no answer waits for connect_timeout, not 5 s', async () => {
    // A listener that never accepts, its queue filled: Linux drops further SYNs, so a connect to it
    // sits in SYN-SENT, as to the address of a container Docker is restarting. nginx waits for it
    // until connect_timeout (kong/init.lua:1424-1426), then 504.
    const listener: ChildProcess = spawn('python3', [
      '-c',
      "import socket,sys\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()",
    ]);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        listener.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        listener.once('error', reject);
      });
      const fillers = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
      await new Promise((r) => setTimeout(r, 200));
      dns.records.set('mute.service.consul', { srv: [{ port, target: '7f000001.addr.dc1.consul.' }] });
      const kong = await kongWith({ KONG_WORKER_CONSISTENCY: 'strict' });
      await consulService(kong, 'mute', { retries: 0, connect_timeout: 7000 });
      const started = Date.now();
      const r = await fetch(`${kong.proxy}/mute`, { headers: { accept: 'application/json' } });
      expect(r.status).toBe(504);
      expect(Date.now() - started).toBeGreaterThanOrEqual(7000);
      expect(kong.logs()).toContain('(connect timeout) while connecting to upstream');
      for (const f of fillers) f.destroy();
    } finally {
      listener.kill();
    }
  }, 30_000);
});
