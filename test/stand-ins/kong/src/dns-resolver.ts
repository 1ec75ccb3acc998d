// Kong-like DNS client: hosts file first, then the configured resolvers (UDP, TCP on truncation),
// record types tried per dns_order (LAST,SRV,A,CNAME). Without resolvers the system resolver is used.
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect, isIP } from 'node:net';
import * as packet from 'dns-packet';

export interface Resolved {
  address: string;
  port: number;
}

export class DnsError extends Error {}

interface Server {
  host: string;
  port: number;
}

type Answer = { type: string; name: string; ttl?: number; data?: unknown };

const TIMEOUT_MS = 2000;

function queryUdp(
  server: Server,
  name: string,
  type: 'A' | 'SRV' | 'AAAA' | 'CNAME',
): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const id = Math.floor(Math.random() * 65535);
    const sock = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new DnsError('timeout'));
    }, TIMEOUT_MS);
    sock.on('message', (msg) => {
      const res = packet.decode(msg);
      if (res.id !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve(res);
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      sock.close();
      reject(e);
    });
    const buf = packet.encode({
      type: 'query',
      id,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type, name }],
    });
    sock.send(buf, server.port, server.host);
  });
}

function queryTcp(
  server: Server,
  name: string,
  type: 'A' | 'SRV' | 'AAAA' | 'CNAME',
): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const id = Math.floor(Math.random() * 65535);
    const sock = connect(server.port, server.host);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new DnsError('timeout'));
    }, TIMEOUT_MS);
    sock.on('connect', () => {
      sock.write(
        packet.streamEncode({
          type: 'query',
          id,
          flags: packet.RECURSION_DESIRED,
          questions: [{ type, name }],
        }),
      );
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d as Buffer]);
      if (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
        clearTimeout(timer);
        sock.destroy();
        resolve(packet.streamDecode(buf));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function pickWeighted<T extends { weight: number }>(items: T[]): T | undefined {
  const total = items.reduce((s, i) => s + i.weight, 0);
  if (total <= 0) return items[Math.floor(Math.random() * items.length)];
  let r = Math.random() * total;
  for (const i of items) {
    r -= i.weight;
    if (r < 0) return i;
  }
  return items[items.length - 1];
}

interface CacheEntry {
  expires: number;
  answers: Answer[];
  additionals: Answer[];
}

export class Resolver {
  readonly servers: Server[];
  readonly order: string[];
  private readonly hosts = new Map<string, string>();
  private readonly last = new Map<string, string>();
  private readonly cache = new Map<string, CacheEntry>();

  constructor(servers: Server[], order: string[], hostsfile: string) {
    this.servers = servers;
    this.order = order;
    try {
      for (const line of readFileSync(hostsfile, 'utf8').split('\n')) {
        const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
        if (!ip || isIP(ip) !== 4) continue;
        for (const n of names) if (!this.hosts.has(n.toLowerCase())) this.hosts.set(n.toLowerCase(), ip);
      }
    } catch {
      // no hosts file: nothing to add
    }
  }

  private async query(name: string, type: 'A' | 'SRV' | 'AAAA' | 'CNAME'): Promise<CacheEntry> {
    const key = `${type}:${name}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit;
    let lastErr: unknown;
    for (const server of this.servers) {
      try {
        let res = await queryUdp(server, name, type);
        if ((res.flags ?? 0) & packet.TRUNCATED_RESPONSE) res = await queryTcp(server, name, type);
        const rcode = (res as { rcode?: string }).rcode;
        if (rcode === 'NXDOMAIN') throw new DnsError('dns server error: 3 name error');
        if (rcode && rcode !== 'NOERROR') throw new DnsError(`dns server error: ${rcode}`);
        const answers = ((res.answers ?? []) as Answer[]).filter((a) => a.type === type);
        const entry: CacheEntry = { answers, additionals: (res.additionals ?? []) as Answer[], expires: 0 };
        const ttl = Math.min(...answers.map((a) => a.ttl ?? 0), 3600);
        entry.expires = Date.now() + (answers.length > 0 ? ttl * 1000 : 0);
        if (entry.expires > Date.now()) this.cache.set(key, entry);
        return entry;
      } catch (e) {
        lastErr = e;
        if (e instanceof DnsError) throw e;
      }
    }
    throw new DnsError(`dns client error: ${(lastErr as Error)?.message ?? 'no nameservers'}`);
  }

  private async resolveA(name: string, additionals: Answer[] = []): Promise<string> {
    const host = this.hosts.get(name.toLowerCase());
    if (host) return host;
    const extra = additionals.filter((a) => a.type === 'A' && a.name.toLowerCase() === name.toLowerCase());
    if (extra.length > 0) return String(extra[Math.floor(Math.random() * extra.length)]?.data);
    const entry = await this.query(name, 'A');
    if (entry.answers.length === 0) throw new DnsError('dns client error: 101 empty record received');
    return String(entry.answers[Math.floor(Math.random() * entry.answers.length)]?.data);
  }

  /** Resolves `name` to an address and port (an SRV answer replaces `port`). */
  async resolve(name: string, port: number): Promise<Resolved> {
    if (isIP(name) !== 0) return { address: name, port };
    const bare = name.replace(/\.$/, '');
    if (this.servers.length === 0) {
      const r = await lookup(bare, { family: 4 }).catch(() => {
        throw new DnsError('dns server error: 3 name error');
      });
      return { address: r.address, port };
    }
    const hosted = this.hosts.get(bare.toLowerCase());
    if (hosted) return { address: hosted, port };
    const types: string[] = [];
    const last = this.last.get(bare);
    for (const t of this.order) {
      const real = t === 'LAST' ? last : t;
      if (real && !types.includes(real)) types.push(real);
    }
    let err: Error = new DnsError('dns client error: 101 empty record received');
    for (const type of types) {
      try {
        if (type === 'SRV') {
          const entry = await this.query(bare, 'SRV');
          const srv = entry.answers.map(
            (a) => a.data as { priority?: number; weight?: number; port: number; target: string },
          );
          if (srv.length === 0) continue;
          const best = Math.min(...srv.map((s) => s.priority ?? 0));
          const pick = pickWeighted(
            srv.filter((s) => (s.priority ?? 0) === best).map((s) => ({ ...s, weight: s.weight ?? 0 })),
          );
          if (!pick) continue;
          const address = isIP(pick.target)
            ? pick.target
            : await this.resolveA(pick.target.replace(/\.$/, ''), entry.additionals);
          this.last.set(bare, 'SRV');
          return { address, port: pick.port || port };
        }
        if (type === 'A') {
          const address = await this.resolveA(bare);
          this.last.set(bare, 'A');
          return { address, port };
        }
      } catch (e) {
        err = e as Error;
      }
    }
    throw err;
  }
}
