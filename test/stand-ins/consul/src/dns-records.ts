// Building blocks for DNS answers: SOA, reply headers, address helpers.

import { isIPv4, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';

export type Packet = dnsPacket.Packet;
export type Answer = dnsPacket.Answer;

export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** miekg/dns SetReply + SetRcode: same id and question, QR set, RD copied. */
export function reply(req: Packet, rcode: number, opts: { aa?: boolean; ra?: boolean } = {}): Packet {
  const rd = (req.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  let flags = rd | rcode;
  if (opts.aa) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  if (opts.ra) flags |= dnsPacket.RECURSION_AVAILABLE;
  return {
    id: req.id ?? 0,
    type: 'response',
    flags,
    questions: req.questions ?? [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

export function soaRecord(domain: string): Answer {
  return {
    type: 'SOA',
    name: domain,
    ttl: 0,
    class: 'IN',
    data: {
      mname: `ns.${domain}`,
      rname: `hostmaster.${domain}`,
      serial: Math.floor(Date.now() / 1000) >>> 0,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: 0,
    },
  } as Answer;
}

export function addressRecord(name: string, address: string, ttl = 0): Answer | undefined {
  if (isIPv4(address)) return { type: 'A', name, ttl, class: 'IN', data: address };
  if (isIPv6(address)) return { type: 'AAAA', name, ttl, class: 'IN', data: address };
  return undefined;
}

/** 10.0.0.1 -> "0a000001" as used in <hex>.addr.<dc>.consul. */
export function ipToHex(address: string): string {
  if (isIPv4(address)) {
    return address
      .split('.')
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('');
  }
  const full = address.includes('::')
    ? (() => {
        const [head = '', tail = ''] = address.split('::');
        const h = head ? head.split(':') : [];
        const t = tail ? tail.split(':') : [];
        return [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
      })()
    : address.split(':');
  return full.map((g) => g.padStart(4, '0')).join('');
}

export function hexToIp(hex: string): string | undefined {
  if (!/^[0-9a-f]+$/i.test(hex)) return undefined;
  if (hex.length === 8) {
    return [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
  }
  if (hex.length === 32) {
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4).replace(/^0{1,3}/, ''));
    return groups.join(':');
  }
  return undefined;
}

export function shuffle<T>(list: T[]): T[] {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
