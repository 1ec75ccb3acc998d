// Kong 3.9's DNS client (kong/resty/dns/client.lua, the default while new_dns_client = off):
// hosts file first, then record types per dns_order (LAST = the type that last worked for the name),
// each tried under the names resolv.conf's search list and ndots give (search_iter), every answer
// through the cache of dns-cache.ts. A stale entry is served while a background query refreshes it;
// concurrent queries for one name and type share one query on the wire. A cache-only lookup (the
// balancer's retries) never asks a server: nothing cached is error 100.
import { lookup as systemLookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { DnsTtls } from './config.ts';
import { DnsCache, type DnsResult, KONG_DNS_TTLS } from './dns-cache.ts';
import { type DnsRecord, type NameServer, type QType, queryServers } from './dns-wire.ts';
import { type ResolvConf, readResolvConf } from './resolv-conf.ts';

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
/** client.lua clientErrors[100]: what a cache-only lookup answers when nothing is cached. */
const CACHE_ONLY_FAILED = { records: [], errcode: 100, errstr: 'cache only lookup failed' };
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
  readonly resolv: ResolvConf;
  private readonly hosts: Map<string, string>;
  private readonly last = new Map<string, QType>();
  private readonly inflight = new Map<string, Promise<DnsResult>>();
  private readonly rr = new WeakMap<DnsRecord[], RoundRobin>();

  constructor(
    servers: NameServer[],
    order: string[],
    hostsfile: string,
    ttl: DnsTtls = KONG_DNS_TTLS,
    now: () => number = Date.now,
    resolv: ResolvConf = readResolvConf(),
  ) {
    // Without dns_resolver Kong asks resolv.conf's nameservers; the stand-in uses the system resolver
    // (a listed difference).
    this.servers = servers;
    this.order = order;
    this.hosts = readHosts(hostsfile);
    this.cache = new DnsCache(ttl, now);
    this.resolv = resolv;
  }

  /** Kong's individualQuery + parseAnswer: records of other names/types are cached under their own keys. */
  private async individual(name: string, type: QType): Promise<DnsResult> {
    const answer = await queryServers(this.servers, name, type, this.resolv);
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

  /**
   * Kong's lookup() (client.lua:925-961): a cache hit is served (a stale one also starts a background
   * refresh, cache-only or not); a miss is a query, or error 100 when only the cache may answer.
   */
  private async lookup(name: string, type: QType, cacheOnly: boolean): Promise<DnsResult> {
    const hit = this.cache.get(`${type}:${name}`);
    if (!hit) return cacheOnly ? CACHE_ONLY_FAILED : this.query(name, type);
    if (hit.stale) this.query(name, type).catch(() => {});
    return hit.result;
  }

  /**
   * Kong's search_iter (client.lua:1061-1121): per record type, the name with each search domain
   * appended; the bare name first when it has at least `ndots` dots (or is in the hosts file), else
   * last. A name ending in a dot is never searched.
   */
  private *candidates(qname: string, fqdn: boolean): Generator<[string, QType]> {
    const done = new Set<QType>();
    const dots = (qname.match(/\./g) ?? []).length;
    const search = fqdn ? [] : this.resolv.search;
    for (const t of this.order) {
      const type = t === 'LAST' ? this.last.get(qname) : (t as QType);
      if (!type || done.has(type)) continue;
      done.add(type);
      const searched = search.map((domain) => `${qname}.${domain}`);
      const bareFirst = dots >= this.resolv.ndots || this.hosts.has(qname);
      for (const name of bareFirst ? [qname, ...searched] : [...searched, qname]) yield [name, type];
    }
  }

  /**
   * Kong's resolve() (client.lua:1157-1315): the records for `qname`. Records found are also cached
   * under the short name (`short:<name>:none`), which answers at once while not expired.
   */
  async records(qname: string, cacheOnly = false, depth = 0): Promise<DnsRecord[]> {
    const fqdn = qname.endsWith('.');
    const name = qname.toLowerCase().replace(/\.$/, '');
    const short = this.cache.get(`short:${name}:none`);
    if (short && !short.stale && short.result.records.length > 0)
      return this.deref(short.result.records, cacheOnly, depth);
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
    let err = 'dns client error: 101 empty record received';
    for (const [tryName, type] of this.candidates(name, fqdn)) {
      let res: DnsResult;
      try {
        res = await this.lookup(tryName, type, cacheOnly);
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
      // cachesetsuccess: under the name asked, and never by a cache-only lookup
      if (!cacheOnly) this.last.set(tryName, type);
      if (type === 'SRV' && res.records.every((r) => (r.data as { target?: string }).target === tryName)) {
        err = 'recursion detected';
        continue;
      }
      if (!cacheOnly) this.cache.reinsert(`short:${name}:none`, `${type}:${tryName}`);
      return this.deref(res.records, cacheOnly, depth);
    }
    // client.lua clears LAST with cachesetsuccess(qname, nil), which refuses a type not in dns_order:
    // the last type that worked is kept.
    throw new DnsError(err);
  }

  private deref(records: DnsRecord[], cacheOnly: boolean, depth: number): Promise<DnsRecord[]> | DnsRecord[] {
    if (records[0]?.type !== 'CNAME') return records;
    if (depth >= MAX_DEPTH) throw new DnsError('recursion detected');
    return this.records(String(records[0].data), cacheOnly, depth + 1);
  }

  /**
   * Kong's toip() (execute_toip, client.lua:1508-1525): an address and port. An SRV answer is picked
   * by roundRobinW, gives the port (unless 0) and a name resolved in turn; A records by roundRobin.
   * `cacheOnly`: the balancer's retry (kong/runloop/balancer/init.lua:302, :374).
   */
  async resolve(name: string, port: number, cacheOnly = false, depth = 0): Promise<Resolved> {
    const recs = await this.records(name, cacheOnly);
    const rr = this.roundRobin(recs);
    if (recs[0]?.type === 'SRV') {
      const srv = recs[rr.weighted(recs)]?.data as SrvData;
      if (depth >= MAX_DEPTH) throw new DnsError('recursion detected');
      return this.resolve(srv.target, srv.port !== 0 ? srv.port : port, cacheOnly, depth + 1);
    }
    return { address: String(recs[rr.next(recs.length)]?.data).replace(/^\[|\]$/g, ''), port };
  }

  /** client.lua's metadataCache: round-robin state per cached record list (weak keys). */
  private roundRobin(recs: DnsRecord[]): RoundRobin {
    let rr = this.rr.get(recs);
    if (!rr) {
      rr = new RoundRobin();
      this.rr.set(recs, rr);
    }
    return rr;
  }
}

interface SrvData {
  priority?: number;
  weight?: number;
  port: number;
  target: string;
}

const gcd = (m: number, n: number): number => (m === 0 ? n : gcd(n % m, m));

/**
 * client.lua roundRobin (:1323-1337) and roundRobinW (:1380-1461). A records: in the server's order,
 * one after the other. SRV: the lowest priority only; the first pick is the server's first record
 * ("trust the dns server"), later picks draw without replacement from a list holding each record
 * weight/gcd times (weight 0 counts as 1), the first pick counted as already drawn.
 */
class RoundRobin {
  private cursor = 0;
  private prio: number[] | null = null;
  private weights: number[] = [];
  private list: number[] | null = null;
  private pointer = 0;

  next(length: number): number {
    this.cursor = this.cursor === length ? 1 : this.cursor + 1;
    return this.cursor - 1;
  }

  weighted(recs: DnsRecord[]): number {
    if (!this.prio) {
      let top = Number.POSITIVE_INFINITY;
      recs.forEach((r, i) => {
        const d = r.data as SrvData;
        const priority = d.priority ?? 0;
        const weight = d.weight ? d.weight : 1;
        if (priority === top) {
          this.prio?.push(i);
          this.weights.push(weight);
        } else if (priority < top) {
          top = priority;
          this.prio = [i];
          this.weights = [weight];
        }
      });
      return this.prio?.[0] ?? 0;
    }
    if (!this.list) {
      const divisor = this.weights.reduce((a, b) => gcd(a, b));
      const list: number[] = [];
      this.prio.forEach((idx, i) => {
        for (let k = 0; k < (this.weights[i] ?? 1) / divisor; k++) list.push(idx);
      });
      const x = list.length;
      [list[0], list[x - 1]] = [list[x - 1] as number, list[0] as number];
      this.list = list;
      this.pointer = x - 1 === 0 ? x : x - 1;
    }
    const i = Math.floor(Math.random() * this.pointer);
    const target = this.list[i] as number;
    [this.list[i], this.list[this.pointer - 1]] = [this.list[this.pointer - 1] as number, target];
    this.pointer = this.pointer === 1 ? this.list.length : this.pointer - 1;
    return target;
  }
}
