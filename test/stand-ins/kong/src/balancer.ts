// Picks the peer for a service: an upstream's targets (weighted round-robin) or the service host via DNS.
import { DnsError, type Resolver } from './dns-resolver.ts';
import type { Entity } from './store.ts';

export interface Peer {
  address: string;
  port: number;
  /** The name used for the Host header (target or service host). */
  hostname: string;
  /** When proxied through an upstream, that upstream's host_header. */
  hostHeader: string | null;
  upstream: string | null;
  target: string | null;
}

export class BalancerError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface Ring {
  upstream: Entity;
  targets: { host: string; port: number; weight: number; target: string; current: number }[];
}

export class Balancer {
  private readonly rings = new Map<string, Ring>();
  private readonly resolver: Resolver;

  constructor(resolver: Resolver, upstreams: Entity[], targets: Entity[]) {
    this.resolver = resolver;
    for (const u of upstreams) this.rings.set(String(u.name), { upstream: u, targets: [] });
    const byId = new Map(upstreams.map((u) => [u.id, String(u.name)]));
    for (const t of targets) {
      const ring = this.rings.get(byId.get((t.upstream as { id: string }).id) ?? '');
      if (!ring || Number(t.weight) <= 0) continue;
      const target = String(t.target);
      const i = target.lastIndexOf(':');
      ring.targets.push({
        host: target.slice(0, i).replace(/^\[|\]$/g, ''),
        port: Number(target.slice(i + 1)),
        weight: Number(t.weight),
        target,
        current: 0,
      });
    }
  }

  isUpstream(host: string): boolean {
    return this.rings.has(host);
  }

  /** Smooth weighted round-robin over the upstream's targets. */
  private next(ring: Ring): Ring['targets'][number] | undefined {
    const total = ring.targets.reduce((s, t) => s + t.weight, 0);
    let best: Ring['targets'][number] | undefined;
    for (const t of ring.targets) {
      t.current += t.weight;
      if (!best || t.current > best.current) best = t;
    }
    if (best) best.current -= total;
    return best;
  }

  /** `cacheOnly`: a retry, which resolves the service host from the DNS cache only. */
  async pick(service: Entity, cacheOnly = false): Promise<Peer> {
    const host = String(service.host);
    const port = Number(service.port);
    const ring = this.rings.get(host);
    if (ring) {
      const t = this.next(ring);
      if (!t) throw new BalancerError(503, 'failure to get a peer from the ring-balancer');
      try {
        const r = await this.resolver.resolve(t.host, t.port);
        return {
          address: r.address,
          port: r.port,
          hostname: t.host,
          hostHeader: (ring.upstream.host_header as string | null) ?? null,
          upstream: host,
          target: t.target,
        };
      } catch (e) {
        // a target whose name does not resolve has no address in the ring: no peer (targets.lua)
        if (e instanceof DnsError)
          throw new BalancerError(503, 'failure to get a peer from the ring-balancer');
        throw e;
      }
    }
    try {
      const r = await this.resolver.resolve(host, port, cacheOnly);
      return {
        address: r.address,
        port: r.port,
        hostname: host,
        hostHeader: null,
        upstream: null,
        target: null,
      };
    } catch (e) {
      throw dnsFailure(e);
    }
  }
}

/**
 * kong/runloop/balancer/init.lua (execute): "name error" and empty answers are 503 `name resolution
 * failed`; any other resolver error is a 500 whose message is the client's error text.
 */
function dnsFailure(e: unknown): unknown {
  if (!(e instanceof DnsError)) return e;
  if (
    e.message === 'dns server error: 3 name error' ||
    e.message === 'dns client error: 101 empty record received'
  )
    return new BalancerError(503, 'name resolution failed');
  return new BalancerError(500, e.message);
}
