import { createSocket, type Socket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, waitFor } from './helpers.ts';
import type { AgentHandle } from './src/agent.ts';

let agent: AgentHandle;
let base: string;
let resolver: dns.Resolver;
let upstream: Socket;

/** An agent API write, then a wait until anti-entropy has carried it to the catalog DNS answers from. */
async function put(path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${base}${path}`, { method: 'PUT', body: JSON.stringify(body) });
  await agent.state.catalog.whenSynced();
  return res;
}

/** A fake upstream DNS server that answers every A question with 192.0.2.7. */
async function startUpstream(): Promise<Socket> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const answer = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions,
      answers: [{ type: 'A', name: q.questions?.[0]?.name ?? '', ttl: 60, data: '192.0.2.7' }],
    });
    sock.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return sock;
}

/** dns-packet decodes header flags and rcode that its typings leave out. */
type Decoded = dnsPacket.Packet & { flag_aa?: boolean; rcode?: string };

async function tcpQuery(port: number, name: string, type: dnsPacket.RecordType): Promise<Decoded> {
  const query = dnsPacket.streamEncode({
    id: 7,
    type: 'query',
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
  });
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(query));
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.end();
        resolve(dnsPacket.streamDecode(buf) as Decoded);
      }
    });
    sock.on('error', reject);
  });
}

beforeAll(async () => {
  upstream = await startUpstream();
  const upstreamPort = (upstream.address() as { port: number }).port;
  agent = await startInProcess({ recursors: [`127.0.0.1:${upstreamPort}`], nodeName: 'standin-node' });
  base = `http://127.0.0.1:${agent.httpPort}/v1`;
  resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${agent.dnsPort}`]);
  await put('/agent/service/register', {
    Name: 'web',
    ID: 'web-1',
    Address: '10.0.0.1',
    Port: 8080,
    Tags: ['blue'],
    Check: { TTL: '60s', CheckID: 'web-1-ttl', Status: 'passing' },
  });
  await put('/agent/service/register', {
    Name: 'web',
    ID: 'web-2',
    Address: '10.0.0.2',
    Port: 8081,
    Tags: ['green'],
    Check: { TTL: '60s', CheckID: 'web-2-ttl', Status: 'passing' },
  });
  await put('/agent/service/register', { Name: 'local', Port: 9000 });
});
afterAll(async () => {
  upstream.close();
  await agent.stop();
});

describe('DNS interface', () => {
  it('answers A for <name>.service.consul with healthy instances only', async () => {
    expect((await resolver.resolve4('web.service.consul')).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    const withTtl = await resolver.resolve4('web.service.consul', { ttl: true });
    expect(withTtl.every((r) => r.ttl === 0)).toBe(true);
    expect(await resolver.resolve4('blue.web.service.consul')).toEqual(['10.0.0.1']);
    expect((await resolver.resolve4('web.service.dc1.consul')).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    // Without an explicit address the node address is used (dev mode binds 127.0.0.1).
    expect(await resolver.resolve4('local.service.consul')).toEqual(['127.0.0.1']);
    expect(await resolver.resolve4('standin-node.node.consul')).toEqual(['127.0.0.1']);
  });

  it('answers SRV with addr targets and RFC 2782 names', async () => {
    const srv = await resolver.resolveSrv('web.service.consul');
    expect(srv.map((r) => `${r.priority} ${r.weight} ${r.port} ${r.name}`).sort()).toEqual([
      '1 1 8080 0a000001.addr.dc1.consul',
      '1 1 8081 0a000002.addr.dc1.consul',
    ]);
    const rfc = await resolver.resolveSrv('_web._tcp.service.consul');
    expect(rfc.length).toBe(2);
    const local = await resolver.resolveSrv('local.service.consul');
    expect(local).toMatchObject([
      { priority: 1, weight: 1, port: 9000, name: 'standin-node.node.dc1.consul' },
    ]);
  });

  it('puts the target A record in ADDITIONAL and works over TCP', async () => {
    const res = await tcpQuery(agent.dnsPort, 'web.service.consul', 'SRV');
    expect(res.id).toBe(7);
    expect(res.flag_aa).toBe(true);
    expect(res.answers?.length).toBe(2);
    const additional = (res.additionals ?? [])
      .map((a) => `${a.name} ${a.type} ${(a as { data: string }).data}`)
      .sort();
    expect(additional).toEqual([
      '0a000001.addr.dc1.consul A 10.0.0.1',
      '0a000002.addr.dc1.consul A 10.0.0.2',
    ]);
    const a = await tcpQuery(agent.dnsPort, 'WEB.service.consul', 'A');
    expect(a.answers?.map((r) => r.name)).toEqual(['web.service.consul', 'web.service.consul']);
  });

  it('drops an unhealthy instance and returns it when healthy again', async () => {
    await put('/agent/check/fail/web-2-ttl');
    expect(await resolver.resolve4('web.service.consul')).toEqual(['10.0.0.1']);
    await put('/agent/check/fail/web-1-ttl');
    await expect(resolver.resolve4('web.service.consul')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    // A known service without a healthy instance is NXDOMAIN (fetchService's ErrNotFound), not NOERROR/empty,
    // with the SOA (TTL = its minimum, 0) in AUTHORITY: resolvers cache that answer for 0 s.
    const none = await tcpQuery(agent.dnsPort, 'web.service.consul', 'A');
    expect([none.rcode, none.flag_aa, none.answers?.length]).toEqual(['NXDOMAIN', true, 0]);
    expect(none.authorities?.[0]).toMatchObject({
      type: 'SOA',
      name: 'consul',
      ttl: 0,
      data: {
        mname: 'ns.consul',
        rname: 'hostmaster.consul',
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 0,
      },
    });
    await put('/agent/check/pass/web-1-ttl');
    await put('/agent/check/pass/web-2-ttl');
    await waitFor(async () => (await resolver.resolve4('web.service.consul')).length === 2, 2000, 50);
  });

  it('keeps instances in warning (only_passing defaults to false), drops them with only_passing', async () => {
    await put('/agent/check/warn/web-2-ttl');
    expect((await resolver.resolve4('web.service.consul')).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    agent.state.opts.onlyPassing = true;
    try {
      expect(await resolver.resolve4('web.service.consul')).toEqual(['10.0.0.1']);
    } finally {
      agent.state.opts.onlyPassing = false;
      await put('/agent/check/pass/web-2-ttl');
    }
  });

  it('weights SRV records by Weights.Passing, or Weights.Warning for an instance in warning', async () => {
    await put('/agent/service/register', {
      Name: 'weighted',
      Address: '10.2.0.1',
      Port: 70,
      Weights: { Passing: 5, Warning: 2 },
      Check: { TTL: '60s', CheckID: 'weighted-ttl', Status: 'passing' },
    });
    expect((await resolver.resolveSrv('weighted.service.consul')).map((r) => r.weight)).toEqual([5]);
    await put('/agent/check/warn/weighted-ttl');
    expect((await resolver.resolveSrv('weighted.service.consul')).map((r) => r.weight)).toEqual([2]);
  });

  it('takes services and the node out of DNS in maintenance mode', async () => {
    expect((await put('/agent/service/maintenance/web-1?enable=true&reason=deploy')).status).toBe(200);
    expect(await resolver.resolve4('web.service.consul')).toEqual(['10.0.0.2']);
    const checks = (await (await fetch(`${base}/health/checks/web`)).json()) as Array<{
      CheckID: string;
      Notes: string;
      Type: string;
    }>;
    expect(checks.find((c) => c.CheckID === '_service_maintenance:web-1')).toMatchObject({
      Notes: 'deploy',
      Type: 'maintenance',
    });
    expect((await fetch(`${base}/agent/health/service/id/web-1?format=text`)).status).toBe(503);
    await put('/agent/service/maintenance/web-1?enable=false');
    await put('/agent/maintenance?enable=true');
    await expect(resolver.resolve4('web.service.consul')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const nodeEntry = (await (await fetch(`${base}/health/service/web`)).json()) as Array<{
      Checks: Array<{ CheckID: string }>;
    }>;
    expect(nodeEntry[0]?.Checks.map((c) => c.CheckID).slice(0, 2)).toEqual([
      'serfHealth',
      '_node_maintenance',
    ]);
    await put('/agent/maintenance?enable=false');
    expect((await resolver.resolve4('web.service.consul')).sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    const missing = await put('/agent/service/maintenance/ghost?enable=true');
    expect([missing.status, await missing.text()]).toEqual([404, 'No service registered with ID "ghost"']);
    expect((await put('/agent/service/maintenance/web-1')).status).toBe(400);
  });

  it('answers NXDOMAIN with the SOA for unknown names', async () => {
    await expect(resolver.resolve4('nope.service.consul')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const res = await tcpQuery(agent.dnsPort, 'nope.service.consul', 'A');
    expect(res.rcode).toBe('NXDOMAIN');
    expect(res.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'consul' });
    const soa = res.authorities?.[0] as { data: { mname: string } } | undefined;
    expect(soa?.data.mname).toBe('ns.consul');
    await expect(resolver.resolve4('web.service.dc2.consul')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('forwards other names to the recursor', async () => {
    expect(await resolver.resolve4('example.org')).toEqual(['192.0.2.7']);
  });

  it('refuses other names without a recursor', async () => {
    const plain = await startInProcess();
    try {
      const res = await tcpQuery(plain.dnsPort, 'example.org', 'A');
      expect(res.rcode).toBe('REFUSED');
    } finally {
      await plain.stop();
    }
  });

  it('limits UDP answers to 3 records like Consul', async () => {
    for (let i = 3; i <= 6; i++) {
      await put('/agent/service/register', {
        Name: 'many',
        ID: `many-${i}`,
        Address: `10.1.0.${i}`,
        Port: 80,
      });
    }
    expect((await resolver.resolve4('many.service.consul')).length).toBe(3);
    expect((await tcpQuery(agent.dnsPort, 'many.service.consul', 'A')).answers?.length).toBe(4);
  });
});
