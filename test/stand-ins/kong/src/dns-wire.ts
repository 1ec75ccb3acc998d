// One DNS query on the wire, as lua-resty-dns (v0.22, bundled with Kong 3.9) sends it: UDP to the
// servers in turn, `attempts` tries of `timeout` ms each, TCP when the answer is truncated.
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import * as packet from 'dns-packet';

export type QType = 'A' | 'AAAA' | 'SRV' | 'CNAME';
export type DnsRecord = { type: string; name: string; ttl?: number; data?: unknown };

export interface NameServer {
  host: string;
  port: number;
}

/** A server's answer: its records (answer and additional sections) and its RCODE as a number. */
export interface WireAnswer {
  rcode: number;
  records: DnsRecord[];
}

/** No answer at all (timeouts, refused sockets): never cached by Kong's client. */
export class DnsNetworkError extends Error {}

const RCODES: Record<string, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

function request(id: number, name: string, type: QType) {
  return { type: 'query' as const, id, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] };
}

function decoded(res: packet.Packet): WireAnswer {
  const rcode = RCODES[String((res as { rcode?: string }).rcode ?? 'NOERROR')] ?? 2;
  const records = [...(res.answers ?? []), ...(res.additionals ?? [])] as DnsRecord[];
  return { rcode, records };
}

function udp(server: NameServer, name: string, type: QType, timeoutMs: number): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const id = Math.floor(Math.random() * 65535);
    const sock = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const done = (f: () => void) => {
      clearTimeout(timer);
      sock.close();
      f();
    };
    const where = `${server.host}:${server.port}`;
    const timer = setTimeout(
      () =>
        done(() => reject(new DnsNetworkError(`failed to receive reply from UDP server ${where}: timeout`))),
      timeoutMs,
    );
    sock.on('message', (msg) => {
      const res = packet.decode(msg);
      if (res.id === id) done(() => resolve(res));
    });
    sock.on('error', (e) =>
      done(() =>
        reject(new DnsNetworkError(`failed to receive reply from UDP server ${where}: ${e.message}`)),
      ),
    );
    sock.send(packet.encode(request(id, name, type)), server.port, server.host);
  });
}

function tcp(server: NameServer, name: string, type: QType, timeoutMs: number): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const id = Math.floor(Math.random() * 65535);
    const sock = connect(server.port, server.host);
    let buf = Buffer.alloc(0);
    const where = `${server.host}:${server.port}`;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(
        new DnsNetworkError(`failed to receive the reply length field from TCP server ${where}: timeout`),
      );
    }, timeoutMs);
    sock.on('connect', () => sock.write(packet.streamEncode(request(id, name, type))));
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
      reject(new DnsNetworkError(`failed to connect to TCP server ${where}: ${e.message}`));
    });
  });
}

/** Asks the servers in turn (`attempts` tries in all); the first answer, whatever its RCODE, wins. */
export async function queryServers(
  servers: NameServer[],
  name: string,
  type: QType,
  opts: { attempts: number; timeoutMs: number },
): Promise<WireAnswer> {
  let last: Error = new DnsNetworkError('no nameservers');
  for (let i = 0; i < opts.attempts && servers.length > 0; i++) {
    const server = servers[i % servers.length] as NameServer;
    try {
      let res = await udp(server, name, type, opts.timeoutMs);
      if ((res.flags ?? 0) & packet.TRUNCATED_RESPONSE) res = await tcp(server, name, type, opts.timeoutMs);
      return decoded(res);
    } catch (e) {
      last = e as Error;
    }
  }
  throw last instanceof DnsNetworkError ? last : new DnsNetworkError(last.message);
}
