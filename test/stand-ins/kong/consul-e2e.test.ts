// End to end in Docker: Kong (stand-in) resolves `x.service.consul` through the Consul stand-in's DNS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireImage } from '../../../images/lib/test-docker.ts';
import { allLogs } from '../../../src/engine/container-ops.ts';
import { CONSUL_IMAGE, ipOf, KONG_IMAGE, NODE_IMAGE, PG_IMAGE, Resources } from './helpers/docker.ts';
import { apiCall, json, waitFor } from './helpers/kong.ts';

await requireImage(KONG_IMAGE, PG_IMAGE, CONSUL_IMAGE, NODE_IMAGE);
const res = new Resources();
let network = '';
let consulIp = '';
let echoIp = '';
let admin = '';
let proxy = '';

const ECHO =
  "require('http').createServer((q,s)=>{s.setHeader('content-type','text/plain');s.end('x says '+q.url)}).listen(8080)";

describe('Kong + Consul DNS (Docker)', () => {
  beforeAll(async () => {
    network = await res.network();
    const pg = await res.kongDatabase(network);
    const consul = await res.container('consul', { Image: CONSUL_IMAGE, network });
    const echo = await res.container('echo', { Image: NODE_IMAGE, Cmd: ['node', '-e', ECHO], network });
    await Promise.all([pg.start(), consul.start(), echo.start()]);
    const pgIp = await ipOf(pg, network);
    consulIp = await ipOf(consul, network);
    echoIp = await ipOf(echo, network);
    await waitFor(
      'consul leader',
      async () => {
        const r = await fetch(`http://${consulIp}:8500/v1/status/leader`);
        return r.ok && (await json(r)) !== '';
      },
      60_000,
    );
    const env = [
      `KONG_PG_HOST=${pgIp}`,
      'KONG_PG_PASSWORD=kongpass',
      `KONG_DNS_RESOLVER=${consulIp}:8600`,
      'KONG_ADMIN_LISTEN=0.0.0.0:8001',
      'KONG_STATUS_LISTEN=0.0.0.0:8100',
    ];
    await res.bootstrapKong(env, network);
    const kong = await res.container('kong', { Image: KONG_IMAGE, Env: env, network });
    await kong.start();
    const kongIp = await ipOf(kong, network);
    admin = `http://${kongIp}:8001`;
    proxy = `http://${kongIp}:8000`;
    await waitFor(
      'kong ready',
      async () => (await fetch(`http://${kongIp}:8100/status/ready`)).status === 200,
      60_000,
    );
  });
  afterAll(() => res.cleanup());

  it('proxies /x to the instance Consul knows as x (SRV port), 503 after deregistration', async () => {
    const reg = await fetch(`http://${consulIp}:8500/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'x', Address: echoIp, Port: 8080 }),
    });
    expect(reg.status).toBe(200);
    expect(
      (await apiCall(admin, 'POST', '/services', { name: 'x', host: 'x.service.consul', port: 80 })).status,
    ).toBe(201);
    expect((await apiCall(admin, 'POST', '/services/x/routes', { paths: ['/x'] })).status).toBe(201);
    const text = await waitFor('proxied through consul', async () => {
      const r = await fetch(`${proxy}/x/hello`);
      return r.status === 200 ? r.text() : undefined;
    });
    expect(text).toBe('x says /hello');
    const dereg = await fetch(`http://${consulIp}:8500/v1/agent/service/deregister/x`, { method: 'PUT' });
    expect(dereg.status).toBe(200);
    const gone = await waitFor('503 after deregistration', async () => {
      const r = await fetch(`${proxy}/x/hello`);
      return r.status === 503 ? json(r) : undefined;
    });
    expect(gone.message).toBe('name resolution failed');
  });

  it('a hostname as KONG_DNS_RESOLVER refuses to start', async () => {
    const c = await res.container('kong-bad', {
      Image: KONG_IMAGE,
      Env: ['KONG_DNS_RESOLVER=consul:8600'],
      network,
    });
    await c.start();
    const { StatusCode } = await c.wait();
    expect(StatusCode).not.toBe(0);
    expect(await allLogs(c)).toContain(
      "dns_resolver must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got 'consul:8600'",
    );
  });
});
