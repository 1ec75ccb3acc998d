// Kong 3.9's DNS client (kong/resty/dns/client.lua, the default while new_dns_client = off):
// hosts file first, then record types per dns_order (LAST = the type that last worked for the name),
// every answer through the cache of dns-cache.ts. A stale entry is served while a background query
// refreshes it; concurrent queries for one name and type share one query on the wire.
import { lookup as systemLookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { DnsTtls } from './config.ts';
import { DnsCache, type DnsResult, KONG_DNS_TTLS } from './dns-cache.ts';
import { type DnsRecord, type NameServer, type QType, queryServers, resolvOptions } from './dns-wire.ts';

export interface Resolved {
  address: string;
  port: number;
}

/** A failed resolution; `message` is the client's error text ("dns server error: 3 name error"). */
export class DnsError extends Error {}

const ERRSTR: Record<number, string> = {
  1: 'format error',
  2: 'server failure',
  3: 'name error',
  4: 'not implemented',
  5: 'refused',
};
const MAX_DEPTH = 10;

function readHosts(file: string): Map<string, string> {
  const hosts = new Map<string, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
      if (!ip || isIP(ip) !== 4) continue;
      for (const n of names) if (!hosts.has(n.toLowerCase())) hosts.set(n.toLowerCase(), ip);
    }
  } catch {
    // no hosts file: nothing to add
  }
  // RFC 6761: localhost is always defined
  if (!hosts.has('localhost')) hosts.set('localhost', '127.0.0.1');
  return hosts;
}

export class Resolver {
  readonly servers: NameServer[];
  readonly order: string[];
  readonly cache: DnsCache;
  private readonly hosts: Map<string, string>;
  private readonly last = new Map<string, QType>();
  private readonly inflight = new Map<string, Promise<DnsResult>>();
  private readonly cursors = new WeakMap<DnsRecord[], number>();
  private readonly wire = resolvOptions();

  constructor(
    servers: NameServer[],
    order: string[],
    hostsfile: string,
    ttl: DnsTtls = KONG_DNS_TTLS,
    now: () => number = Date.now,
  ) {
    // Without dns_resolver Kong asks resolv.conf's nameservers; the stand-in uses the system resolver
    // (a listed difference).
    this.servers = servers;
    this.order = order;
    this.hosts = readHosts(hostsfile);
    this.cache = new DnsCache(ttl, now);
  }

  /** Kong's individualQuery + parseAnswer: records of other names/types are cached under their own keys. */
  private async individual(name: string, type: QType): Promise<DnsResult> {
    const answer = await queryServers(this.servers, name, type, this.wire);
    if (answer.rcode !== 0) {
      const result = { records: [], errcode: answer.rcode, errstr: ERRSTR[answer.rcode] ?? 'unknown' };
      this.cache.insert(`${type}:${name}`, result);
      return result;
    }
    const mine: DnsRecord[] = [];
    const others = new Map<string, DnsRecord[]>();
    for (const r of answer.records) {
      const rname = r.name.toLowerCase().replace(/\.$/, '');
      const rec = { ...r, name: rname };
      if (r.type === type && rname === name) mine.push(rec);
      else if (['A', 'AAAA', 'SRV', 'CNAME'].includes(r.type))
        others.set(`${r.type}:${rname}`, [...(others.get(`${r.type}:${rname}`) ?? []), rec]);
    }
    for (const [key, records] of others) {
      this.cache.insert(key, { records });
      const [t, n] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (!this.last.has(n) && this.order.includes(t)) this.last.set(n, t as QType);
    }
    const result = { records: mine };
    this.cache.insert(`${type}:${name}`, result);
    return result;
  }

  /** One query on the wire per name and type at a time (Kong's syncQuery/asyncQuery queue). */
  private query(name: string, type: QType): Promise<DnsResult> {
    const key = `${type}:${name}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.individual(name, type).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Kong's lookup(): a cache hit is served (stale ones trigger a background refresh), else a query. */
  private async lookup(name: string, type: QType): Promise<DnsResult> {
    const hit = this.cache.get(`${type}:${name}`);
    if (!hit) return this.query(name, type);
    if (hit.stale) this.query(name, type).catch(() => {});
    return hit.result;
  }

  /** Kong's resolve(): the records for `qname`, trying the types of dns_order. */
  async records(qname: string, depth = 0): Promise<DnsRecord[]> {
    const name = qname.toLowerCase().replace(/\.$/, '');
    const ipType = isIP(name);
    if (ipType !== 0) return [{ type: ipType === 4 ? 'A' : 'AAAA', name, data: name }];
    const hosted = this.hosts.get(name);
    if (hosted) return [{ type: 'A', name, data: hosted }];
    if (this.servers.length === 0) {
      const r = await systemLookup(name, { family: 4 }).catch(() => {
        throw new DnsError('dns server error: 3 name error');
      });
      return [{ type: 'A', name, data: r.address }];
    }
    const types: QType[] = [];
    for (const t of this.order) {
      const real = t === 'LAST' ? this.last.get(name) : (t as QType);
      if (real && !types.includes(real)) types.push(real);
    }
    let err = 'dns client error: 101 empty record received';
    for (const type of types) {
      let res: DnsResult;
      try {
        res = await this.lookup(name, type);
      } catch (e) {
        // no answer at all ends the search: other types could give wrong answers (client.lua)
        throw new DnsError((e as Error).message);
      }
      if (res.errcode !== undefined) {
        err = `dns server error: ${res.errcode} ${res.errstr}`;
        continue;
      }
      if (res.records.length === 0) {
        err = 'dns client error: 101 empty record received';
        continue;
      }
      this.last.set(name, type);
      if (type === 'SRV' && res.records.every((r) => (r.data as { target?: string }).target === name)) {
        err = 'recursion detected';
        continue;
      }
      if (res.records[0]?.type === 'CNAME') {
        if (depth >= MAX_DEPTH) throw new DnsError('recursion detected');
        return this.records(String(res.records[0].data), depth + 1);
      }
      return res.records;
    }
    this.last.delete(name);
    throw new DnsError(err);
  }

  /** Kong's toip(): an address and port; an SRV answer gives the port (unless 0) and a name to resolve. */
  async resolve(name: string, port: number, depth = 0): Promise<Resolved> {
    const recs = await this.records(name);
    if (recs[0]?.type === 'SRV') {
      const srv = pickSrv(recs.map((r) => r.data as SrvData));
      if (depth >= MAX_DEPTH) throw new DnsError('recursion detected');
      return this.resolve(srv.target, srv.port !== 0 ? srv.port : port, depth + 1);
    }
    // round-robin over the cached record list, as the client's roundRobin()
    const cursor = ((this.cursors.get(recs) ?? -1) + 1) % recs.length;
    this.cursors.set(recs, cursor);
    return { address: String(recs[cursor]?.data).replace(/^\[|\]$/g, ''), port };
  }
}

interface SrvData {
  priority?: number;
  weight?: number;
  port: number;
  target: string;
}

/** The lowest priority, then weighted at random (weight 0 counts as 1, as roundRobinW does). */
function pickSrv(srv: SrvData[]): SrvData {
  const best = Math.min(...srv.map((s) => s.priority ?? 0));
  const top = srv.filter((s) => (s.priority ?? 0) === best);
  const weight = (s: SrvData) => (s.weight ? s.weight : 1);
  let r = Math.random() * top.reduce((sum, s) => sum + weight(s), 0);
  for (const s of top) {
    r -= weight(s);
    if (r < 0) return s;
  }
  return top[top.length - 1] as SrvData;
}
