// A tiny authoritative DNS server (UDP) answering from a mutable table, like Consul's DNS interface.
import { createSocket, type Socket } from 'node:dgram';
import * as packet from 'dns-packet';

export interface Records {
  a?: string[];
  srv?: { port: number; target: string; priority?: number; weight?: number }[];
}

export interface TestDns {
  port: number;
  records: Map<string, Records>;
  queries: { name: string; type: string }[];
  close(): Promise<void>;
}

export async function startDns(): Promise<TestDns> {
  const records = new Map<string, Records>();
  const queries: { name: string; type: string }[] = [];
  const sock: Socket = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = packet.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push({ name, type: question.type });
    const rec = records.get(name);
    const answers: packet.Answer[] = [];
    const additionals: packet.Answer[] = [];
    if (rec && question.type === 'A')
      for (const ip of rec.a ?? []) answers.push({ type: 'A', name, ttl: 0, data: ip });
    if (rec && question.type === 'SRV') {
      for (const s of rec.srv ?? []) {
        answers.push({
          type: 'SRV',
          name,
          ttl: 0,
          data: { port: s.port, target: s.target, priority: s.priority ?? 1, weight: s.weight ?? 1 },
        });
        const ip = records.get(s.target.toLowerCase())?.a?.[0];
        if (ip) additionals.push({ type: 'A', name: s.target, ttl: 0, data: ip });
      }
    }
    const res = packet.encode({
      type: 'response',
      id: q.id,
      flags: packet.AUTHORITATIVE_ANSWER | (rec ? 0 : 3),
      questions: q.questions,
      answers,
      additionals,
    });
    sock.send(res, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return {
    port: sock.address().port,
    records,
    queries,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}
