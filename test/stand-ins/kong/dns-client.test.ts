// Kong 3.9's DNS client cache (kong/resty/dns/client.lua), in process against the fake DNS server:
// negative caching, error caching, stale answers refreshed in the background. A fake clock moves time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type TestDns } from './helpers/dns-server.ts';
import { waitFor } from './helpers/kong.ts';
import { DnsCache, KONG_DNS_TTLS } from './src/dns-cache.ts';
import { DnsError, Resolver } from './src/dns-resolver.ts';

let dns: TestDns;
let clock = 0;
const now = () => clock;
const ORDER = ['LAST', 'SRV', 'A', 'CNAME'];

beforeAll(async () => {
  dns = await startDns();
  clock = Date.now();
});
afterAll(() => dns?.close());

function resolver(ttl = KONG_DNS_TTLS, order = ORDER): Resolver {
  return new Resolver([{ host: '127.0.0.1', port: dns.port }], order, '/dev/null', ttl, now);
}
const asked = (name: string) => dns.queries.filter((q) => q.name === name).length;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: Error) => (e instanceof DnsError ? e.message : `unexpected ${e}`),
  );

describe("Kong's DNS client cache", () => {
  it('defaults are kong_defaults.lua: stale 3600 s, not found 30 s, error 1 s, no valid_ttl', () => {
    expect(KONG_DNS_TTLS).toEqual({ stale: 3600, notFound: 30, error: 1, valid: null });
  });

  it('a name error is cached for dns_not_found_ttl, then served stale once while it is refreshed', async () => {
    const r = resolver();
    expect(await failure(r.resolve('late.service.consul', 80))).toBe('dns server error: 3 name error');
    const queries = asked('late.service.consul');
    expect(queries).toBe(3); // SRV, A, CNAME: each NXDOMAIN
    dns.records.set('late.service.consul', { a: ['10.1.2.3'] });
    clock += 29_000;
    // within dns_not_found_ttl: the cached name error, no query
    expect(await failure(r.resolve('late.service.consul', 80))).toBe('dns server error: 3 name error');
    expect(asked('late.service.consul')).toBe(queries);
    clock += 2_000;
    // past it: the stale name error is still the answer, while a background query refreshes it
    expect(await failure(r.resolve('late.service.consul', 80))).toBe('dns server error: 3 name error');
    await waitFor('background refresh', async () => asked('late.service.consul') > queries);
    const ok = await waitFor('refreshed answer', async () => r.resolve('late.service.consul', 80));
    expect(ok).toEqual({ address: '10.1.2.3', port: 80 });
  });

  it('a TTL-0 answer (Consul) is served stale while refreshed; a later NXDOMAIN replaces it', async () => {
    const r = resolver();
    dns.records.set('gone.service.consul', { srv: [{ port: 9000, target: '10.0.0.9' }] });
    expect(await r.resolve('gone.service.consul', 80)).toEqual({ address: '10.0.0.9', port: 9000 });
    dns.records.delete('gone.service.consul');
    const before = asked('gone.service.consul');
    clock += 1;
    // stale (TTL 0) but within dns_stale_ttl: the old answer, and a background query
    expect(await r.resolve('gone.service.consul', 80)).toEqual({ address: '10.0.0.9', port: 9000 });
    await waitFor('refresh', async () => asked('gone.service.consul') > before);
    expect(
      await waitFor('name error', async () =>
        failure(r.resolve('gone.service.consul', 80)).then((m) => m !== 'resolved' && m),
      ),
    ).toBe('dns server error: 3 name error');
  });

  it('a server failure is cached for dns_error_ttl and never replaces stale data', async () => {
    const r = resolver();
    dns.servfail.add('flaky.service.consul');
    expect(await failure(r.resolve('flaky.service.consul', 80))).toBe('dns server error: 2 server failure');
    const n = asked('flaky.service.consul');
    expect(await failure(r.resolve('flaky.service.consul', 80))).toBe('dns server error: 2 server failure');
    expect(asked('flaky.service.consul')).toBe(n); // cached for dns_error_ttl (1 s)
    dns.servfail.delete('flaky.service.consul');
    dns.records.set('flaky.service.consul', { a: ['10.0.0.7'] });
    clock += 1_500;
    await failure(r.resolve('flaky.service.consul', 80)); // stale error served, refresh started
    expect(await waitFor('recovered', async () => r.resolve('flaky.service.consul', 80))).toEqual({
      address: '10.0.0.7',
      port: 80,
    });
    // now the name has data: a server failure keeps the (stale) answer
    dns.servfail.add('flaky.service.consul');
    clock += 1_000;
    for (let i = 0; i < 3; i++)
      expect(await r.resolve('flaky.service.consul', 80)).toEqual({ address: '10.0.0.7', port: 80 });
    dns.servfail.delete('flaky.service.consul');
  });

  it('dns_not_found_ttl and dns_valid_ttl are honoured', async () => {
    const r = resolver({ ...KONG_DNS_TTLS, notFound: 2, valid: 60 });
    expect(await failure(r.resolve('short.service.consul', 80))).toBe('dns server error: 3 name error');
    dns.records.set('short.service.consul', { a: ['10.0.0.5'] });
    clock += 2_500;
    await failure(r.resolve('short.service.consul', 80));
    expect(await waitFor('answer', async () => r.resolve('short.service.consul', 80))).toEqual({
      address: '10.0.0.5',
      port: 80,
    });
    dns.records.delete('short.service.consul');
    const n = asked('short.service.consul');
    clock += 30_000; // within dns_valid_ttl (60 s): a fresh hit, no query
    expect(await r.resolve('short.service.consul', 80)).toEqual({ address: '10.0.0.5', port: 80 });
    expect(asked('short.service.consul')).toBe(n);
  });

  it('with dns_not_found_ttl 0 and dns_stale_ttl 0 nothing negative or stale is kept: each request asks', async () => {
    const r = resolver({ ...KONG_DNS_TTLS, notFound: 0, stale: 0 });
    expect(await failure(r.resolve('eager.service.consul', 80))).toBe('dns server error: 3 name error');
    dns.records.set('eager.service.consul', { srv: [{ port: 9100, target: '10.0.0.11' }] });
    expect(await r.resolve('eager.service.consul', 80)).toEqual({ address: '10.0.0.11', port: 9100 });
    dns.records.delete('eager.service.consul');
    expect(await failure(r.resolve('eager.service.consul', 80))).toBe('dns server error: 3 name error');
  });

  // client.lua:1093 (LAST = cachegetsuccess) and :1264 (cachesetsuccess after any type that answered):
  // the default stack sets dns_order SRV,A,CNAME because of this (src/stack/default-kong.test.ts).
  const instancesOnTwoPorts = {
    a: ['10.0.0.21', '10.0.0.22'],
    srv: [
      { port: 3000, target: '10.0.0.21' },
      { port: 4000, target: '10.0.0.22' },
    ],
  };
  const picks = async (r: Resolver, name: string) => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const { address, port } = await r.resolve(name, 3000);
      seen.add(`${address}:${port}`);
    }
    return [...seen].sort();
  };

  it('LAST: once A answered for a name, A is asked first from then on, and every address gets the service port', async () => {
    const r = resolver();
    dns.records.set('sticky.service.consul', { a: ['10.0.0.21'] }); // no SRV records yet
    expect(await r.resolve('sticky.service.consul', 3000)).toEqual({ address: '10.0.0.21', port: 3000 });
    dns.records.set('sticky.service.consul', instancesOnTwoPorts);
    clock += 31_000; // past every cached answer, SRV's empty one included
    await waitFor('the refreshed A answer', async () =>
      (await picks(r, 'sticky.service.consul')).length === 2 ? true : undefined,
    );
    expect(await picks(r, 'sticky.service.consul')).toEqual(['10.0.0.21:3000', '10.0.0.22:3000']);
    expect(dns.queries.filter((q) => q.name === 'sticky.service.consul' && q.type === 'SRV')).toHaveLength(1);
  });

  it('dns_order SRV,A,CNAME: SRV is asked first each time, and each instance gets its own port', async () => {
    const r = resolver(KONG_DNS_TTLS, ['SRV', 'A', 'CNAME']);
    dns.records.set('srvfirst.service.consul', { a: ['10.0.0.21'] });
    expect(await r.resolve('srvfirst.service.consul', 3000)).toEqual({ address: '10.0.0.21', port: 3000 });
    dns.records.set('srvfirst.service.consul', instancesOnTwoPorts);
    clock += 31_000;
    await waitFor('the refreshed SRV answer', async () =>
      (await picks(r, 'srvfirst.service.consul')).includes('10.0.0.22:4000') ? true : undefined,
    );
    expect(await picks(r, 'srvfirst.service.consul')).toEqual(['10.0.0.21:3000', '10.0.0.22:4000']);
  });

  it('entries leave the cache dns_stale_ttl after they expire', () => {
    let t = 0;
    const cache = new DnsCache({ ...KONG_DNS_TTLS, stale: 4 }, () => t);
    cache.insert('A:x', { records: [{ type: 'A', name: 'x', ttl: 10, data: '10.0.0.1' }] });
    t = 9_000;
    expect(cache.get('A:x')?.stale).toBe(false);
    t = 11_000;
    expect(cache.get('A:x')?.stale).toBe(true);
    t = 14_500;
    expect(cache.get('A:x')).toBeUndefined();
  });
});
