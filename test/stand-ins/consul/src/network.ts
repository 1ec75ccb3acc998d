// Picks the advertise address the way Consul does: dev mode binds 127.0.0.1; otherwise the single
// private IPv4 address of the machine (an error when there are several or none).

import { networkInterfaces } from 'node:os';
import { ConfigError } from './agent-options.ts';

function isPrivate(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

export function privateIPv4s(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? [])
      if (i.family === 'IPv4' && !i.internal && isPrivate(i.address)) out.push(i.address);
  }
  return out;
}

export function resolveAdvertise(bindAddr: string | undefined, advertiseAddr: string | undefined): string {
  if (advertiseAddr) return advertiseAddr;
  if (bindAddr && bindAddr !== '0.0.0.0' && bindAddr !== '::') return bindAddr;
  const ips = privateIPv4s();
  if (ips.length > 1) {
    throw new ConfigError(
      `Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.`,
    );
  }
  if (ips.length === 0) throw new ConfigError('No private IPv4 address found');
  return ips[0] ?? '';
}
