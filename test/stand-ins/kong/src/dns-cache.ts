// The record cache of Kong 3.9's DNS client (kong/resty/dns/client.lua, `cacheinsert`/`cachelookup`):
// answers live for their TTL (or dns_valid_ttl), "name error" and empty answers for
// dns_not_found_ttl, other server errors for dns_error_ttl; every entry then stays usable as stale
// for dns_stale_ttl more, while the client refreshes it in the background.
import type { DnsTtls } from './config.ts';
import type { DnsRecord } from './dns-wire.ts';

/** A lookup result as the client caches it: records, or an RCODE error (`errcode` 3 = name error). */
export interface DnsResult {
  records: DnsRecord[];
  errcode?: number;
  errstr?: string;
}

interface Entry {
  result: DnsResult;
  expire: number;
  /** The LRU item's own expiry: `expire` + dns_stale_ttl. */
  evict: number;
}

export const KONG_DNS_TTLS: DnsTtls = { stale: 3600, notFound: 30, error: 1, valid: null };

export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttl: DnsTtls;
  private readonly now: () => number;

  constructor(ttl: DnsTtls, now: () => number = Date.now) {
    this.ttl = ttl;
    this.now = now;
  }

  /** The cached result and whether it is stale (past its TTL but within dns_stale_ttl). */
  get(key: string): { result: DnsResult; stale: boolean } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (e.evict <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return { result: e.result, stale: e.expire < now };
  }

  /** Hosts-file entries: ten years, as the client's init does. */
  pin(key: string, records: DnsRecord[]): void {
    const forever = this.now() + 10 * 365 * 24 * 3600 * 1000;
    this.entries.set(key, { result: { records }, expire: forever, evict: forever });
  }

  /**
   * cacheinsert of an entry already cached (client.lua:252-256, the short-name cache): stored under
   * another key with the time it has left, plus dns_stale_ttl.
   */
  reinsert(key: string, from: string): void {
    const e = this.entries.get(from);
    if (!e) return;
    const evict = e.expire + this.ttl.stale * 1000;
    if (evict <= this.now()) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, { result: e.result, expire: e.expire, evict });
  }

  insert(key: string, result: DnsResult): void {
    const hasData = (this.get(key)?.result.records.length ?? 0) > 0;
    let ttl: number;
    if (result.records.length > 0) {
      ttl = this.ttl.valid ?? Math.min(...result.records.map((r) => r.ttl ?? 0));
    } else if (result.errcode !== undefined && result.errcode !== 3) {
      // a server error never replaces (stale) data
      if (hasData) return;
      ttl = this.ttl.error;
    } else if (result.errcode === 3) {
      // "name error" (NXDOMAIN) replaces even stale data
      ttl = this.ttl.notFound;
    } else {
      if (hasData) return;
      ttl = this.ttl.notFound;
    }
    const now = this.now();
    const lruTtl = ttl + this.ttl.stale;
    if (lruTtl <= 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, { result, expire: now + ttl * 1000, evict: now + lruTtl * 1000 });
  }
}
