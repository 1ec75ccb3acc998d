// Kong's DNS client searches like the system resolver (kong/resty/dns/client.lua:643-654 ndots and
// search from resolv.conf, search_iter :1061-1121): for each record type the bare name and the name
// with each search domain appended, the bare one first when it has at least `ndots` dots. The last
// name tried decides the error (resolve, :1233-1314): when a search domain's server fails where
// Consul would have said "no such name", a service not registered yet is a 500, not the 503
// `name resolution failed` (kong/runloop/balancer/init.lua:380-391). LOCALDOMAIN and RES_OPTIONS
// override resolv.conf (kong/resty/dns/utils.lua:214-234), which lets these tests run on the host;
// docker.test.ts holds the resolv.conf Docker writes.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { json, type KongNode, runKong, serviceWithRoute, startKong } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';
import { readResolvConf } from './src/resolv-conf.ts';

let pg: TestPostgres;
let dns: TestDns;
let dbEnv: Record<string, string>;
const nodes: KongNode[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  dns = await startDns();
  // the corporate domain's server is broken (a VPN that is down, a laptop offline)
  for (const t of ['late.service.consul.corp.example', 'soon.service.consul.corp.example'])
    dns.servfail.add(t);
  dbEnv = { ...(await freshDatabase(pg)), KONG_DNS_RESOLVER: `127.0.0.1:${dns.port}` };
  const boot = await runKong(['migrations', 'bootstrap'], dbEnv);
  expect(boot.code, boot.stderr).toBe(0);
});
afterAll(async () => {
  for (const n of nodes) await n.stop();
  await dns?.close();
  await pg?.stop();
});

async function kongWith(env: Record<string, string>, service: string): Promise<KongNode> {
  const node = await startKong({ ...dbEnv, KONG_WORKER_CONSISTENCY: 'strict', ...env });
  nodes.push(node);
  await serviceWithRoute(node, service, { host: `${service}.service.consul`, port: 80 });
  return node;
}
const namesAsked = (prefix: string) =>
  dns.queries.filter((q) => q.name.startsWith(prefix)).map((q) => `${q.type} ${q.name}`);

describe('resolv.conf search and ndots', () => {
  it('parses resolv.conf like utils.lua: last of search/domain wins, a whole-line option, env over file', () => {
    const file = (text: string) => {
      const path = `/tmp/kong-standin-resolv-${process.pid}-${Math.random()}`;
      writeFileSync(path, text);
      return path;
    };
    const docker = file('search corp.example\nnameserver 127.0.0.11\noptions ndots:0\n');
    expect(readResolvConf(docker, {})).toMatchObject({ search: ['corp.example'], ndots: 0 });
    // Docker with DnsSearch ["."] writes no search line at all
    expect(readResolvConf(file('nameserver 127.0.0.11\noptions ndots:0\n'), {}).search).toEqual([]);
    expect(readResolvConf(file('search a.example\ndomain b.example\n'), {}).search).toEqual(['b.example']);
    // parseOption takes the line whole: two options on one line set neither
    expect(readResolvConf(file('options ndots:3 attempts:2\n'), {})).toMatchObject({ ndots: 1, attempts: 5 });
    expect(readResolvConf(docker, { LOCALDOMAIN: ' ', RES_OPTIONS: 'ndots:2 attempts:1' })).toMatchObject({
      search: [],
      ndots: 2,
      attempts: 1,
    });
  });

  it('a search domain whose server fails turns "not registered yet" into a 500', async () => {
    const kong = await kongWith({ LOCALDOMAIN: 'corp.example', RES_OPTIONS: 'ndots:0' }, 'late');
    const r = await fetch(`${kong.proxy}/late`);
    expect(r.status).toBe(500);
    expect((await json(r)).message).toBe('dns server error: 2 server failure');
    // ndots 0 (Docker's): the bare name first, then the search domain, for each type
    expect(namesAsked('late.')).toEqual([
      'SRV late.service.consul',
      'SRV late.service.consul.corp.example',
      'A late.service.consul',
      'A late.service.consul.corp.example',
      'CNAME late.service.consul',
      'CNAME late.service.consul.corp.example',
    ]);
  });

  it('without a search line (LOCALDOMAIN blank) the same name is the 503 `name resolution failed`', async () => {
    const kong = await kongWith({ LOCALDOMAIN: ' ', RES_OPTIONS: 'ndots:0' }, 'soon');
    const r = await fetch(`${kong.proxy}/soon`);
    expect(r.status).toBe(503);
    expect((await json(r)).message).toBe('name resolution failed');
    expect(namesAsked('soon.')).toEqual([
      'SRV soon.service.consul',
      'A soon.service.consul',
      'CNAME soon.service.consul',
    ]);
  });

  it('a name with fewer dots than ndots tries the search domains first', async () => {
    dns.records.set('db.corp.example', { a: ['127.0.0.1'] });
    const kong = await kongWith(
      { LOCALDOMAIN: 'corp.example', RES_OPTIONS: 'ndots:1', KONG_PG_HOST: 'db' },
      'first',
    );
    // Postgres (KONG_PG_HOST=db) was found as db.corp.example, asked before the bare name
    expect(namesAsked('db')[0]).toBe('SRV db.corp.example');
    expect((await kong.api('GET', '/services/first')).status).toBe(200);
  });
});
