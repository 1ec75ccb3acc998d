import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyBody, json, waitFor } from './helpers/kong.ts';
import { REFUSED_PORT } from './helpers/postgres.ts';
import { type Env, setupKong, teardown } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';

let env: Env;
const echoes: Echo[] = [];
beforeAll(async () => {
  // strict: each new route is routed on the next request (eventual, the default, waits for the 5 s
  // rebuild timer; cluster.test.ts holds that). These tests are about routing, not propagation.
  env = await setupKong({ KONG_WORKER_CONSISTENCY: 'strict' });
  for (const n of ['a', 'b', 'c']) echoes.push(await startEcho(n));
});
afterAll(async () => {
  for (const e of echoes) await e.close();
  await teardown(env);
});

const api = (...a: Parameters<Env['kong']['api']>) => env.kong.api(...a);
const echo = (i: number) => echoes[i] as Echo;

/** Polls the proxy until `check` accepts the response (balancer updates and plugins apply asynchronously). */
async function proxied(
  path: string,
  check: (r: Response, body: AnyBody) => boolean,
  init?: RequestInit,
): Promise<{ res: Response; body: AnyBody }> {
  return waitFor(`proxy ${path}`, async () => {
    const res = await fetch(env.kong.proxy + path, init);
    const text = await res.text();
    let body: AnyBody = text;
    try {
      body = JSON.parse(text);
    } catch {
      // plain text
    }
    return check(res, body) ? { res, body } : undefined;
  });
}

/** A request with an explicit Host header (fetch does not let Host be set). */
function raw(path: string, method: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${env.kong.proxy}${path}`, { method, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('proxy', () => {
  it('answers 404 with Kong body when no route matches', async () => {
    const res = await fetch(`${env.kong.proxy}/nothing-here`);
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body.message).toBe('no Route matched with those values');
    expect(res.headers.get('server')).toMatch(/^kong\/3\.9\./);
  });

  it('routes a path to a service, strips the prefix, adds X-Forwarded-* and Kong headers', async () => {
    await api('POST', '/services', { name: 'echo-a', url: `http://127.0.0.1:${echo(0).port}/base` });
    await api('POST', '/services/echo-a/routes', { name: 'echo-a-route', paths: ['/a'] });
    const { res, body } = await proxied('/a/items?x=1', (r) => r.status === 200);
    expect(body.name).toBe('a');
    expect(body.url).toBe('/base/items?x=1');
    expect(body.headers['x-forwarded-prefix']).toBe('/a');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-forwarded-port']).toBe(String(env.kong.proxyPort));
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(body.headers.host).toBe(`127.0.0.1:${echo(0).port}`);
    expect(res.headers.get('via')).toMatch(/kong\/3\.9\./);
    expect(res.headers.get('x-kong-upstream-latency')).toMatch(/^\d+$/);
    expect(res.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);
  });

  it('strip_path false keeps the path; preserve_host keeps Host', async () => {
    await api('POST', '/services', { name: 'echo-keep', url: `http://127.0.0.1:${echo(1).port}` });
    await api('POST', '/services/echo-keep/routes', {
      paths: ['/keep'],
      strip_path: false,
      preserve_host: true,
    });
    const { body } = await proxied('/keep/x', (r) => r.status === 200);
    expect(body.url).toBe('/keep/x');
    expect(body.headers.host).toBe(`127.0.0.1:${env.kong.proxyPort}`);
  });

  it('the longest prefix wins', async () => {
    await api('POST', '/services', { name: 'short', url: `http://127.0.0.1:${echo(0).port}` });
    await api('POST', '/services', { name: 'long', url: `http://127.0.0.1:${echo(1).port}` });
    await api('POST', '/services/short/routes', { paths: ['/lp'] });
    await api('POST', '/services/long/routes', { paths: ['/lp/deeper'] });
    await proxied('/lp/deeper/x', (r, b) => r.status === 200 && b.name === 'b');
    await proxied('/lp/other', (r, b) => r.status === 200 && b.name === 'a');
  });

  it('regex paths (~) match', async () => {
    await api('POST', '/services', { name: 'rx', url: `http://127.0.0.1:${echo(2).port}` });
    await api('POST', '/services/rx/routes', { paths: ['~/rx/v\\d+$'] });
    await proxied('/rx/v12', (r, b) => r.status === 200 && b.name === 'c');
    expect((await fetch(`${env.kong.proxy}/rx/vx`)).status).toBe(404);
  });

  it('hosts and methods narrow a route', async () => {
    await api('POST', '/services', { name: 'hosted', url: `http://127.0.0.1:${echo(2).port}` });
    await api('POST', '/services/hosted/routes', {
      hosts: ['api.example.test'],
      methods: ['POST'],
      paths: ['/h'],
    });
    await waitFor('host route', async () => (await raw('/h', 'POST', 'api.example.test')) === 200);
    expect(await raw('/h', 'POST', 'other.example.test')).toBe(404);
    expect(await raw('/h', 'GET', 'api.example.test')).toBe(404);
  });

  it('answers 502 when the upstream refuses connections', async () => {
    await api('POST', '/services', { name: 'dead', url: `http://127.0.0.1:${REFUSED_PORT}`, retries: 1 });
    await api('POST', '/services/dead/routes', { paths: ['/dead'] });
    const { body } = await proxied('/dead', (r) => r.status === 502);
    expect(body.message).toBe('An invalid response was received from the upstream server');
  });

  it('a route without a service answers 503; the routes of a disabled service are left out', async () => {
    // kong/runloop/handler.lua:401-404 (router build), kong/init.lua:1219-1231 (no service)
    await api('POST', '/routes', { name: 'orphan', paths: ['/orphan'] });
    const orphan = await proxied('/orphan', (r) => r.status === 503);
    expect(orphan.body.message).toBe('no Service found with those values');
    await api('POST', '/services', { name: 'off', url: `http://127.0.0.1:${echo(0).port}` });
    await api('POST', '/services/off/routes', { paths: ['/off'] });
    await proxied('/off', (r) => r.status === 200);
    await api('PATCH', '/services/off', { enabled: false });
    const off = await proxied('/off', (r) => r.status === 404);
    expect(off.body.message).toBe('no Route matched with those values');
  });

  it('balances an upstream round-robin over its targets by weight; 503 without targets', async () => {
    await api('POST', '/upstreams', { name: 'rr.upstream' });
    await api('POST', '/services', { name: 'rr', host: 'rr.upstream', port: 80 });
    await api('POST', '/services/rr/routes', { paths: ['/rr'] });
    const none = await proxied('/rr', (r) => r.status === 503);
    expect(none.body.message).toBe('failure to get a peer from the ring-balancer');
    await api('POST', '/upstreams/rr.upstream/targets', { target: `127.0.0.1:${echo(0).port}`, weight: 100 });
    await api('POST', '/upstreams/rr.upstream/targets', { target: `127.0.0.1:${echo(1).port}`, weight: 100 });
    await proxied('/rr', (r, b) => r.status === 200 && b.name === 'b');
    const names: string[] = [];
    for (let i = 0; i < 10; i++) names.push((await json(await fetch(`${env.kong.proxy}/rr`))).name);
    expect(names.filter((n) => n === 'a')).toHaveLength(5);
    expect(names.filter((n) => n === 'b')).toHaveLength(5);
  });

  it('streams request and response bodies', async () => {
    await api('POST', '/services', { name: 'stream', url: `http://127.0.0.1:${echo(0).port}` });
    await api('POST', '/services/stream/routes', { paths: ['/stream'] });
    await proxied('/stream', (r) => r.status === 200);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${env.kong.proxy}/stream/up`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          let data = '';
          res.on('data', (d) => {
            data += d;
          });
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.write('part-1;');
      setTimeout(() => req.end('part-2'), 50);
    });
    expect(JSON.parse(body).body).toBe('part-1;part-2');
  });

  it('serves Prometheus metrics on admin and status listeners; request metrics once the plugin is enabled', async () => {
    // the plugin is bundled: /metrics answers before it is configured, with the node-local metrics only
    for (const base of [env.kong.admin, env.kong.status]) {
      const bare = await fetch(`${base}/metrics`);
      expect(bare.status).toBe(200);
      const text = await bare.text();
      expect(text).toContain('kong_datastore_reachable 1');
      expect(text).not.toContain('kong_http_requests_total');
    }
    await api('POST', '/plugins', { name: 'prometheus', config: { status_code_metrics: true } });
    await fetch(`${env.kong.proxy}/a/metrics-probe`);
    for (const base of [env.kong.admin, env.kong.status]) {
      const text = await waitFor('http metrics', async () => {
        const t = await (await fetch(`${base}/metrics`)).text();
        return t.includes('kong_http_requests_total{service="echo-a"') ? t : undefined;
      });
      expect(text).toMatch(/kong_nginx_requests_total\{node_id="[^"]+",subsystem="http"\} \d+/);
      expect(text).toMatch(
        /kong_nginx_connections_total\{node_id="[^"]+",subsystem="http",state="active"\} \d+/,
      );
      expect(text).toContain('kong_datastore_reachable 1');
      expect(text).toMatch(/kong_node_info\{node_id="[^"]+",version="3\.9\.\d+"\} 1/);
      expect(text).toMatch(
        /kong_http_requests_total\{service="echo-a",route="echo-a-route",code="200",source="service",workspace="default",consumer=""\} \d+/,
      );
    }
  });

  it('/status/ready reports ready', async () => {
    const r = await fetch(`${env.kong.status}/status/ready`);
    expect(r.status).toBe(200);
    expect(await json(r)).toEqual({ message: 'ready' });
  });
});
