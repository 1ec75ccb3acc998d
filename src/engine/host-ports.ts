// Is a host port free, and if not, who holds it? Shared by `up` (fail before starting anything)
// and `doctor`.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type Docker from 'dockerode';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A best-effort description of who holds a port: a container by name, else a local process. */
export async function portHolder(docker: Docker | undefined, port: number): Promise<string | undefined> {
  if (docker) {
    const containers = await docker.listContainers().catch(() => []);
    const holder = containers.find((c) => (c.Ports ?? []).some((p) => p.PublicPort === port));
    if (holder) return `container ${(holder.Names?.[0] ?? holder.Id.slice(0, 12)).replace(/^\//, '')}`;
  }
  return localPortHolder(port);
}

/**
 * The local process listening on a port, when it can be told (Linux only: the listening socket's
 * inode in /proc/net/tcp*, then the process owning it).
 */
export function localPortHolder(port: number): string | undefined {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
      }
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        const link = (() => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return '';
          }
        })();
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && inodes.has(inode)) {
          return `process ${processName(pid)} (pid ${pid})`;
        }
      }
    }
  } catch {
    // Not Linux, or /proc unreadable: we simply cannot tell.
  }
  return undefined;
}

/** The executable's name from its command line; `comm` can be a thread name (Node 24 says MainThread). */
function processName(pid: string): string {
  const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  return argv0.split('/').pop() || readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}
