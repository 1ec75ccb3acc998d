// A real image registry for tests: Debian's docker-registry (unpacked by scripts/test.sh, not installed
// as a service) on a free port of 127.0.0.1, which the engine reaches without TLS, behind a small TCP
// proxy that the engine talks to instead. The proxy lets a test see what the engine asked for
// (request lines), slow the registry's answers down to a given rate (so a pull lasts long enough to be
// cut), and, after `kill()`, refuse every connection as a dead registry host would.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/host-run/free-port.ts';
import { eventually, ROOT } from './cli.ts';

export const REGISTRY_BIN = join(ROOT, '.cache', 'docker-registry', 'usr', 'bin', 'docker-registry');

export interface TestRegistry {
  /** host:port the engine pulls from and pushes to (the proxy). */
  readonly address: string;
  /** The HTTP request lines the engine sent ("GET /v2/library/x/manifests/1"), in order. */
  readonly requests: string[];
  /** Bytes per second the registry's answers are slowed to; undefined: as fast as it can. */
  rate: number | undefined;
  /** SIGKILLs the registry and cuts every connection; new ones are refused until `start()`. */
  kill(): void;
  /**
   * Stops answering without closing anything (a registry host that hangs, a network that drops
   * packets): what is in flight stalls, new connections are accepted and never answered, until `kill()`.
   */
  freeze(): void;
  /** Starts the registry again on the same storage (what was pushed is still there). */
  start(): Promise<void>;
  /** Stops everything and removes the storage. */
  close(): Promise<void>;
}

export async function startRegistry(): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} is missing: scripts/test.sh unpacks Debian's docker-registry there`);
  }
  const port = await freePort('127.0.0.1');
  const storage = mkdtempSync(join(tmpdir(), 'mkdev-pull-path-registry-'));
  const config = join(storage, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${storage}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  let child: ChildProcess | undefined;
  let alive = false;
  let frozen = false;
  const upstreams = new Set<Socket>();
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const proxy: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (!alive) {
      client.destroy();
      return;
    }
    if (frozen) {
      client.resume();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    sockets.add(upstream);
    upstreams.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      upstreams.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString('latin1').matchAll(/^(GET|HEAD|PUT|POST|PATCH) (\S+) HTTP/gm)) {
        requests.push(`${match[1]} ${match[2]}`);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (frozen) return;
      client.write(chunk);
      if (registry.rate === undefined) return;
      upstream.pause();
      setTimeout(() => frozen || upstream.resume(), (chunk.length * 1000) / registry.rate);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;

  const registry: TestRegistry = {
    address: `127.0.0.1:${proxyPort}`,
    requests,
    rate: undefined,
    freeze() {
      frozen = true;
      for (const upstream of upstreams) upstream.pause();
    },
    kill() {
      alive = false;
      frozen = false;
      child?.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
    },
    async start() {
      child = spawn(REGISTRY_BIN, ['serve', config], { stdio: 'ignore' });
      await eventually(
        async () =>
          (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.ok ? true : undefined,
        15_000,
        'the registry to answer',
      );
      alive = true;
    },
    async close() {
      registry.kill();
      await new Promise((resolve) => proxy.close(resolve));
      rmSync(storage, { recursive: true, force: true });
    },
  };
  await registry.start();
  return registry;
}
