// The DNS interface on :8600, UDP and TCP (RFC 1035 length-prefixed frames).

import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket from 'dns-packet';
import { answerConsulQuestion, trimForUdp } from './dns-answer.ts';
import { type Packet, RCODE, reply } from './dns-records.ts';
import { recurse } from './dns-recursor.ts';
import type { AgentState } from './http-context.ts';

async function handle(state: AgentState, raw: Buffer, udp: boolean): Promise<Buffer | undefined> {
  let req: Packet;
  try {
    req = dnsPacket.decode(raw);
  } catch {
    return undefined;
  }
  const q = req.questions?.[0];
  const ra = state.opts.recursors.length > 0;
  if (!q) return dnsPacket.encode(reply(req, RCODE.REFUSED));
  const qname = q.name.toLowerCase().replace(/\.$/, '');
  const domain = state.opts.domain;
  const inDomain = qname === domain || qname.endsWith(`.${domain}`);
  if (!inDomain) {
    if (!ra) return dnsPacket.encode(reply(req, RCODE.REFUSED));
    const answer = await recurse(raw, state.opts.recursors);
    if (answer) return answer;
    state.log.error('agent.dns', 'all resolvers failed for question', { question: q.name, type: q.type });
    return dnsPacket.encode(reply(req, RCODE.SERVFAIL, { ra: true }));
  }
  const resp = answerConsulQuestion(state, req, qname, q.type);
  const opt = (req.additionals ?? []).find((a) => a.type === 'OPT') as
    | { udpPayloadSize?: number }
    | undefined;
  if (udp) trimForUdp(state, req, resp);
  if (opt) {
    resp.additionals?.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: opt.udpPayloadSize ?? 512,
      flags: 0,
      options: [],
    } as never);
  }
  return dnsPacket.encode(resp);
}

export interface DnsServers {
  udp: Socket;
  tcp: Server;
  close(): Promise<void>;
}

export async function startDns(state: AgentState, host: string, port: number): Promise<DnsServers> {
  const bindUdp = async (): Promise<Socket> => {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', (msg, rinfo) => {
      handle(state, msg, true)
        .then((out) => {
          if (out) udp.send(out, rinfo.port, rinfo.address);
        })
        .catch((err: unknown) => state.log.error('agent.dns', 'query failed', { error: String(err) }));
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    return udp;
  };
  const tcp = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg: Buffer = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        handle(state, Buffer.from(msg), false)
          .then((out) => {
            if (!out || sock.destroyed) return;
            const frame = Buffer.alloc(2 + out.length);
            frame.writeUInt16BE(out.length, 0);
            out.copy(frame, 2);
            sock.write(frame);
          })
          .catch(() => sock.destroy());
      }
    });
    sock.on('error', () => sock.destroy());
    sock.setTimeout(10_000, () => sock.destroy());
  });
  // With port 0 (tests), TCP takes the port UDP got so both share one number. UDP's and TCP's free
  // ports are counted apart: the number may be a TCP socket's already (a connection's local end), so a
  // new UDP port is drawn until TCP can have it too.
  let udp = await bindUdp();
  for (let attempt = 1; ; attempt++) {
    const actual = udp.address().port;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(actual, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (error) {
      udp.close();
      if (port !== 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
      udp = await bindUdp();
    }
  }
  return {
    udp,
    tcp,
    close: async () => {
      udp.close();
      tcp.close();
    },
  };
}
