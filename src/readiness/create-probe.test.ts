// allOf: a service with several probes (RabbitMQ: its API's answer and its AMQP port) is ready when all
// pass; they are in flight together, and the reason is the first failure in their written order.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allOf } from './create-probe.ts';
import type { ProbeTarget } from './probe.ts';

const servers: (Server | HttpServer)[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    s.close();
  }
});

async function listen<S extends Server | HttpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Container ports 80 (http) and 5672 (tcp) published on these host ports. */
const target = (http: number, tcp: number): ProbeTarget => ({
  host: '127.0.0.1',
  hostPort: (port) => ({ 80: http, 5672: tcp })[port],
  exec: () => Promise.reject(new Error('no exec here')),
  logs: () => Promise.resolve(''),
});

const probes = allOf([
  { kind: 'http', port: 80, path: '/alarms', scheme: 'http' },
  { kind: 'tcp', port: 5672 },
]);

describe('allOf', () => {
  it('has every probe in flight at once: the http answer here waits for the tcp probe to connect', async () => {
    let connected: () => void = () => {};
    const tcpConnected = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const tcp = await listen(
      createServer((socket) => {
        sockets.push(socket);
        connected();
      }),
    );
    const http = await listen(
      createHttpServer((_req, res) => {
        void tcpConnected.then(() => res.end('ok'));
      }),
    );
    // One after the other, the http probe would time out (2 s) waiting for a connection never made.
    await expect(probes.check(target(http, tcp), AbortSignal.timeout(10_000))).resolves.toEqual({
      ready: true,
    });
  });

  it('gives the first failure in written order as the reason, whichever failed first', async () => {
    const http = await listen(
      createHttpServer((_req, res) => {
        // Answers after the tcp probe has failed (a closed port fails at once).
        setTimeout(() => res.writeHead(503).end('alarms'), 50);
      }),
    );
    const closed = await listen(createServer());
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const result = await probes.check(target(http, closed), AbortSignal.timeout(10_000));
    expect(result).toMatchObject({ ready: false, reason: expect.stringContaining('HTTP 503') });
  });
});

describe('allOf with a probe through another service', () => {
  it('asks the other service only once the service itself answers', async () => {
    const asked: string[] = [];
    let status = 503;
    const own = await listen(
      createHttpServer((req, res) => {
        asked.push(`own ${req.url}`);
        res.writeHead(status).end();
      }),
    );
    const proxy = await listen(
      createHttpServer((req, res) => {
        asked.push(`proxy ${req.url}`);
        res.end('ok');
      }),
    );
    const probe = allOf([
      { kind: 'http', port: 80, path: '/readyz', scheme: 'http' },
      { kind: 'kong_route', service: 'kong', port: 8000, path: '/orders/healthz', status: 200 },
    ]);
    const withPeer: ProbeTarget = {
      ...target(own, 0),
      peer: (service) =>
        service === 'kong'
          ? { host: '127.0.0.1', hostPort: (p) => (p === 8000 ? proxy : undefined) }
          : undefined,
    };
    const result = await probe.check(withPeer, AbortSignal.timeout(10_000));
    expect(result).toMatchObject({ ready: false, reason: expect.stringContaining('HTTP 503') });
    expect(asked).toEqual(['own /readyz']);
    status = 200;
    await expect(probe.check(withPeer, AbortSignal.timeout(10_000))).resolves.toEqual({ ready: true });
    expect(asked).toEqual(['own /readyz', 'own /readyz', 'proxy /orders/healthz']);
  });
});
