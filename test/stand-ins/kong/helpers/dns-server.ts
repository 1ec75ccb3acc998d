// A tiny authoritative DNS server (UDP) answering from a mutable table, like Consul's DNS interface.
import { createSocket, type Socket } from 'node:dgram';
import { createServer as createTcpServer } from 'node:net';
import * as packet from 'dns-packet';

export interface Records {
  a?: string[];
  srv?: { port: number; target: string; priority?: number; weight?: number }[];
  /** The answers' TTL in seconds; 0 (Consul's default) unless given. */
  ttl?: number;
}

export interface TestDns {
  port: number;
  /** Names whose UDP answers come back empty with the TC bit set (the full answer is on TCP). */
  truncate: Set<string>;
  /** Names answered with SERVFAIL (RCODE 2). */
  servfail: Set<string>;
  /** While true nothing is answered (a server that is down: the client times out). */
  paused: boolean;
  records: Map<string, Records>;
  queries: { name: string; type: string; transport: 'udp' | 'tcp' }[];
  close(): Promise<void>;
}

export async function startDns(): Promise<TestDns> {
  const records = new Map<string, Records>();
  const queries: { name: string; type: string; transport: 'udp' | 'tcp' }[] = [];
  const truncate = new Set<string>();
  const servfail = new Set<string>();
  const server = { paused: false } as TestDns;
  const answer = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null => {
    if (server.paused) return null;
    const q = packet.decode(msg);
    const question = q.questions?.[0];
    if (!question) return null;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push({ name, type: question.type, transport });
    if (transport === 'udp' && truncate.has(name)) {
      return packet.encode({
        type: 'response',
        id: q.id,
        flags: packet.TRUNCATED_RESPONSE,
        questions: q.questions,
        answers: [],
      });
    }
    if (servfail.has(name)) {
      return packet.encode({ type: 'response', id: q.id, flags: 2, questions: q.questions, answers: [] });
    }
    const rec = records.get(name);
    const ttl = rec?.ttl ?? 0;
    const answers: packet.Answer[] = [];
    const additionals: packet.Answer[] = [];
    if (rec && question.type === 'A')
      for (const ip of rec.a ?? []) answers.push({ type: 'A', name, ttl, data: ip });
    if (rec && question.type === 'SRV') {
      for (const s of rec.srv ?? []) {
        answers.push({
          type: 'SRV',
          name,
          ttl,
          data: { port: s.port, target: s.target, priority: s.priority ?? 1, weight: s.weight ?? 1 },
        });
        const ip = records.get(s.target.toLowerCase())?.a?.[0];
        if (ip) additionals.push({ type: 'A', name: s.target, ttl: 0, data: ip });
      }
    }
    return packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.AUTHORITATIVE_ANSWER | (rec ? 0 : 3),
      questions: q.questions,
      answers,
      additionals,
    });
  };
  const sock: Socket = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const res = answer(msg, 'udp');
    if (res) sock.send(res, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const tcp = createTcpServer((conn) => {
    let buf = Buffer.alloc(0);
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
        const len = buf.readUInt16BE(0);
        const res = answer(buf.subarray(2, 2 + len), 'tcp');
        buf = buf.subarray(2 + len);
        if (res) {
          const framed = Buffer.alloc(res.length + 2);
          framed.writeUInt16BE(res.length, 0);
          res.copy(framed, 2);
          conn.write(framed);
        }
      }
    });
    conn.on('error', () => {});
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
  Object.assign(server, {
    port,
    truncate,
    servfail,
    records,
    queries,
    close: () => new Promise<void>((r) => sock.close(() => tcp.close(() => r()))),
  });
  return server;
}
