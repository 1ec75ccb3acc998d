// Forwards questions outside the Consul domain to -recursor addresses (sequentially, 2 s each).

import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

function splitHostPort(recursor: string): { host: string; port: number } {
  const bracket = /^\[(.+)\](?::(\d+))?$/.exec(recursor);
  if (bracket) return { host: bracket[1] ?? '', port: Number(bracket[2] ?? 53) };
  if (isIPv6(recursor)) return { host: recursor, port: 53 };
  const [host = '', port] = recursor.split(':');
  return { host, port: Number(port ?? 53) };
}

function exchange(query: Buffer, recursor: string, timeoutMs: number): Promise<Buffer> {
  const { host, port } = splitHostPort(recursor);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`read udp ${host}:${port}: i/o timeout`));
    }, timeoutMs);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.send(query, port, host);
  });
}

/** Returns the first recursor's raw answer, or undefined when all of them failed. */
export async function recurse(
  query: Buffer,
  recursors: string[],
  timeoutMs = 2000,
): Promise<Buffer | undefined> {
  for (const r of recursors) {
    try {
      return await exchange(query, r, timeoutMs);
    } catch {
      // try the next recursor, as Consul's sequential strategy does
    }
  }
  return undefined;
}
