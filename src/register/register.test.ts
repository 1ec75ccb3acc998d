// Request shapes and error handling of the register library, against a small in-process fake server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deregisterFromConsul,
  RegistrationError,
  registerOnConsul,
  registerOnKong,
  unregisterFromKong,
  withRetry,
} from './index.ts';

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let base: string;
let seen: Seen[] = [];
let handler: Handler;

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (d) => {
      text += d;
    });
    req.on('end', () => resolve(text === '' ? undefined : JSON.parse(text)));
  });
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const s = { method: req.method ?? '', url: req.url ?? '', body: await readBody(req) };
    seen.push(s);
    handler(s, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  handler = (s, res) => reply(res, 200, { id: s.url.startsWith('/services') ? 'svc-id' : 'route-id' });
});

describe('registerOnKong', () => {
  it('upserts the service, then a route on it, both by name', async () => {
    const result = await registerOnKong({
      adminUrl: `${base}/`,
      name: 'orders',
      port: 8080,
      paths: ['/orders'],
    });
    expect(result).toEqual({ serviceId: 'svc-id', routeId: 'route-id' });
    expect(seen).toEqual([
      {
        method: 'PUT',
        url: '/services/orders',
        body: { name: 'orders', protocol: 'http', host: 'orders.service.consul', port: 8080 },
      },
      {
        method: 'PUT',
        url: '/routes/orders',
        body: {
          name: 'orders',
          service: { id: 'svc-id' },
          protocols: ['http', 'https'],
          paths: ['/orders'],
          strip_path: true,
        },
      },
    ]);
  });

  it('passes host, hosts, strip_path and tags through', async () => {
    await registerOnKong({
      adminUrl: base,
      name: 'users',
      host: 'users.internal',
      port: 9000,
      paths: ['/users', '/accounts'],
      hosts: ['api.local'],
      stripPath: false,
      tags: ['mkdev'],
    });
    expect(seen[0]?.body).toMatchObject({ host: 'users.internal', port: 9000, tags: ['mkdev'] });
    expect(seen[1]?.body).toMatchObject({
      paths: ['/users', '/accounts'],
      hosts: ['api.local'],
      strip_path: false,
      tags: ['mkdev'],
    });
  });

  it("reports Kong's status and error body", async () => {
    handler = (_s, res) =>
      reply(res, 400, {
        code: 2,
        name: 'schema violation',
        message: 'schema violation (port: value should be between 0 and 65535)',
        fields: { port: 'value should be between 0 and 65535' },
      });
    const error = await registerOnKong({ adminUrl: base, name: 'x', port: 70000, paths: ['/x'] }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error.status).toBe(400);
    expect(error.message).toContain('PUT');
    expect(error.message).toContain('/services/x answered 400');
    expect(error.message).toContain('schema violation (port: value should be between 0 and 65535)');
  });

  it('refuses a path without a leading slash before calling Kong', async () => {
    await expect(registerOnKong({ adminUrl: base, name: 'x', port: 1, paths: ['x'] })).rejects.toThrow(
      /start with '\/'/,
    );
    expect(seen).toEqual([]);
  });

  it('names an unreachable Admin API in the error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const adminUrl = `http://127.0.0.1:${port}`;
    const error = await registerOnKong({ adminUrl, name: 'x', port: 1, paths: ['/x'] }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(new RegExp(`^PUT ${adminUrl}/services/x failed: .*ECONNREFUSED`));
  });
});

describe('unregisterFromKong', () => {
  it('deletes the route, then the service; absent ones count as gone', async () => {
    handler = (s, res) =>
      reply(
        res,
        s.url.startsWith('/routes') ? 204 : 404,
        s.url.startsWith('/routes') ? undefined : { message: 'Not found' },
      );
    await unregisterFromKong({ adminUrl: base, name: 'orders' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'DELETE /routes/orders',
      'DELETE /services/orders',
    ]);
  });
});

describe('Consul', () => {
  it('registers the instance with an HTTP check', async () => {
    handler = (_s, res) => reply(res, 200);
    await registerOnConsul({
      consulUrl: base,
      id: 'orders-abc',
      name: 'orders',
      address: '172.18.0.5',
      port: 8080,
      tags: ['mkdev'],
      meta: { version: '1' },
      check: {
        http: 'http://172.18.0.5:8080/healthz',
        interval: '2s',
        timeout: '1s',
        deregisterCriticalServiceAfter: '1m',
      },
    });
    expect(seen).toEqual([
      {
        method: 'PUT',
        url: '/v1/agent/service/register',
        body: {
          ID: 'orders-abc',
          Name: 'orders',
          Address: '172.18.0.5',
          Port: 8080,
          Tags: ['mkdev'],
          Meta: { version: '1' },
          Check: {
            HTTP: 'http://172.18.0.5:8080/healthz',
            Interval: '2s',
            Timeout: '1s',
            DeregisterCriticalServiceAfter: '1m',
          },
        },
      },
    ]);
  });

  it('can use a TCP check', async () => {
    handler = (_s, res) => reply(res, 200);
    await registerOnConsul({
      consulUrl: base,
      id: 'a',
      name: 'a',
      address: '10.0.0.1',
      port: 1,
      check: { tcp: '10.0.0.1:1', interval: '5s', timeout: '1s', deregisterCriticalServiceAfter: '2m' },
    });
    const body = seen[0]?.body as { Check: unknown } | undefined;
    expect(body?.Check).toEqual({
      TCP: '10.0.0.1:1',
      Interval: '5s',
      Timeout: '1s',
      DeregisterCriticalServiceAfter: '2m',
    });
  });

  it('deregisters, treating 404 as already gone', async () => {
    handler = (_s, res) => {
      res.writeHead(404);
      res.end('Unknown service ID "orders-abc". Ensure that the service ID is passed, not the service name.');
    };
    await deregisterFromConsul({ consulUrl: base, id: 'orders-abc' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['PUT /v1/agent/service/deregister/orders-abc']);
  });

  it("reports Consul's text error with its status", async () => {
    handler = (_s, res) => {
      res.writeHead(400);
      res.end('Invalid check: TTL must be > 0 for TTL checks');
    };
    await expect(
      registerOnConsul({
        consulUrl: base,
        id: 'a',
        name: 'a',
        address: 'x',
        port: 1,
        check: { tcp: 'x:1', interval: '1s', timeout: '1s', deregisterCriticalServiceAfter: '1m' },
      }),
    ).rejects.toThrow('answered 400: Invalid check: TTL must be > 0 for TTL checks');
  });
});

describe('withRetry', () => {
  it('retries with exponential backoff until it succeeds', async () => {
    const delays: number[] = [];
    const value = await withRetry(
      async (attempt) => {
        if (attempt < 4) throw new Error(`not yet ${attempt}`);
        return attempt;
      },
      { attempts: 5, initialDelayMs: 5, maxDelayMs: 15, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(value).toBe(4);
    expect(delays).toEqual([5, 10, 15]);
  });

  it('gives up after the attempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { attempts: 3, initialDelayMs: 1 },
      ),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('gives up once timeoutMs has passed', async () => {
    const started = Date.now();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('down');
        },
        { timeoutMs: 120, initialDelayMs: 20, maxDelayMs: 40 },
      ),
    ).rejects.toThrow('down');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(110);
    // Bounded by attempts, not by the clock: waits of 20-40 ms fit at most ~7 tries into 120 ms.
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(8);
  });

  it('stops at once when retryIf says so', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new RegistrationError('bad request', { status: 400 });
        },
        {
          attempts: 5,
          initialDelayMs: 1,
          retryIf: (e) => !(e instanceof RegistrationError && e.status === 400),
        },
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });

  it('is cut short by the abort signal during a wait', async () => {
    const controller = new AbortController();
    let calls = 0;
    const retrying = withRetry(
      async () => {
        calls++;
        // Abort once the first attempt failed: withRetry is then in its 10 s wait.
        setImmediate(() => controller.abort(new Error('stopping')));
        throw new Error('down');
      },
      { attempts: 10, initialDelayMs: 10_000, signal: controller.signal },
    );
    // The order of events, not the clock: it rejects with the abort's reason before the wait ran out.
    const outcome = await Promise.race([
      retrying.then(
        () => 'resolved',
        (e: Error) => e.message,
      ),
      new Promise((r) => setTimeout(() => r('still waiting'), 9_000).unref()),
    ]);
    expect(outcome).toBe('stopping');
    expect(calls).toBe(1);
  });
});
