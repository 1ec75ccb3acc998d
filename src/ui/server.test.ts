import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceAction } from '../project/service-actions.ts';
import type { DashboardState, LogEntry } from './protocol.ts';
import { createDashboardServer, type DashboardBackend, type StateListener } from './server.ts';

const TOKEN = 'test-token-123';
const SECRET = 's3cr3t-password';

class FakeBackend implements DashboardBackend {
  readonly project = 'shop';
  readonly calls: string[] = [];
  readonly listeners = new Set<StateListener>();
  readonly logListeners = new Set<(e: readonly LogEntry[]) => void>();
  state(): DashboardState {
    return {
      project: 'shop',
      host: '127.0.0.1',
      endpoints: [
        { service: 'rabbitmq', name: 'MKDEV_RABBITMQ_URL', value: `amqp://mkdev:${SECRET}@127.0.0.1:5672` },
      ],
    };
  }
  logs(): readonly LogEntry[] {
    return [
      { seq: 1, at: 1, service: 'orders', replica: '1', stream: 'stdout', text: `connected with ${SECRET}` },
    ];
  }
  subscribe(l: StateListener) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  subscribeLogs(l: (e: readonly LogEntry[]) => void) {
    this.logListeners.add(l);
    return () => this.logListeners.delete(l);
  }
  mask(text: string) {
    return text.split(SECRET).join('***');
  }
  secrets() {
    return this.state().endpoints ?? [];
  }
  async action(service: string, action: ServiceAction) {
    this.calls.push(`${action} ${service}`);
    return service === 'nope'
      ? { ok: false, message: "no service 'nope'" }
      : { ok: true, message: `${service} ${action}ed` };
  }
  async tryRoute(route: string) {
    this.calls.push(`try ${route}`);
    return { ok: true, message: '200 ok: reached the service' };
  }
  async traces(query: URLSearchParams) {
    this.calls.push(`traces ${query}`);
    return { traces: [{ traceId: TRACE, route: `/with/${SECRET}` }], seq: 1 };
  }
  async trace(traceId: string) {
    return traceId === TRACE ? { summary: { traceId }, spans: [] } : undefined;
  }
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';

const backend = new FakeBackend();
const server = createDashboardServer(backend, TOKEN, { js: 'window.booted = 1;</script>', css: 'body{}' });
let port = 0;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...init.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += String(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mkdev-token': TOKEN, ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the dashboard server refuses', () => {
  it('every request without the token, or with a wrong one, with 401', async () => {
    for (const path of ['/', '/api/state', '/api/logs', '/api/events', '/api/secrets']) {
      expect((await call(path)).status, path).toBe(401);
      expect((await call(`${path}?token=wrong`)).status, path).toBe(401);
    }
    expect((await call('/api/state')).body).toContain('token');
  });

  it('a Host other than 127.0.0.1 or localhost with 403, token or not (DNS rebinding)', async () => {
    const evil = await call(`/api/state?token=${TOKEN}`, { headers: { host: `evil.example:${port}` } });
    expect(evil.status).toBe(403);
    expect((await call(`/?token=${TOKEN}`, { headers: { host: 'localhost.evil.example' } })).status).toBe(
      403,
    );
    expect((await call(`/api/state?token=${TOKEN}`, { headers: { host: `localhost:${port}` } })).status).toBe(
      200,
    );
  });

  it('a cross-origin request with 403', async () => {
    const res = await call(`/api/state?token=${TOKEN}`, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
  });

  it('actions whose token is only in the URL (401), or whose body is not JSON (403), and runs none', async () => {
    const before = backend.calls.length;
    const inQuery = await call(`/api/services/orders/restart?token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(inQuery.status).toBe(401);
    const form = await call('/api/services/orders/restart', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mkdev-token': TOKEN },
      body: 'a=1',
    });
    expect(form.status).toBe(403);
    expect(backend.calls.length).toBe(before);
  });

  it('an unknown action with 404 and a bad try-it body with 400', async () => {
    expect((await post('/api/services/orders/explode', {})).status).toBe(404);
    expect((await post('/api/routes/try', { nope: 1 })).status).toBe(400);
  });
});

describe('the dashboard server, with the token', () => {
  it('serves the page with the bundle inlined under a nonce CSP, and no referrer', async () => {
    const res = await call(`/?token=${TOKEN}`);
    expect(res.status).toBe(200);
    const nonce = /script-src 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
    expect(nonce).toBeTruthy();
    expect(res.body).toContain(`<script nonce="${nonce}">window.booted = 1;<\\/script></script>`);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it('masks secrets in the state and the logs; /api/secrets shows them', async () => {
    const state = await call(`/api/state?token=${TOKEN}`);
    expect(state.body).toContain('amqp://mkdev:***@');
    expect(state.body).not.toContain(SECRET);
    expect((await call(`/api/logs?token=${TOKEN}`)).body).not.toContain(SECRET);
    const shown = await call('/api/secrets', { headers: { 'x-mkdev-token': TOKEN } });
    expect(shown.body).toContain(SECRET);
  });

  it('runs an action and try-it, answering 409 when the backend refuses', async () => {
    const ok = await post('/api/services/orders/restart', {});
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, message: 'orders restarted' });
    expect((await post('/api/services/nope/stop', {})).status).toBe(409);
    expect(JSON.parse((await post('/api/routes/try', { route: 'orders' })).body).ok).toBe(true);
    expect(backend.calls.slice(-3)).toEqual(['restart orders', 'stop nope', 'try orders']);
  });

  it("proxies the trace receiver's list (masked) and one trace, 404 for an unknown one", async () => {
    const list = await call(`/api/traces?route=%2Forders&errors=true&token=${TOKEN}`);
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).traces[0].traceId).toBe(TRACE);
    expect(list.body).not.toContain(SECRET);
    expect(backend.calls.at(-1)).toBe('traces route=%2Forders&errors=true&token=test-token-123');
    expect((await call(`/api/traces/${TRACE}?token=${TOKEN}`)).status).toBe(200);
    expect((await call(`/api/traces/${'1'.repeat(32)}?token=${TOKEN}`)).status).toBe(404);
    expect((await call(`/api/traces/not-an-id?token=${TOKEN}`)).status).toBe(404);
  });

  it('streams the whole state first, then changes and log lines in the order they happen', async () => {
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: `/api/events?token=${TOKEN}`,
          headers: { host: `127.0.0.1:${port}` },
        },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream');
          let buffer = '';
          res.on('data', (chunk) => {
            buffer += String(chunk);
            const parts = buffer.split('\n\n');
            buffer = parts.pop() ?? '';
            for (const part of parts) events.push(part);
            if (events.length === 2) {
              for (const l of backend.listeners) l({ routes: { data: [], at: 2 } });
              for (const l of backend.logListeners)
                l([
                  {
                    seq: 2,
                    at: 2,
                    service: 'orders',
                    replica: '1',
                    stream: 'stderr',
                    text: `boom ${SECRET}`,
                  },
                ]);
            }
            if (events.length === 4) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(events.map((e) => /^event: (\w+)/.exec(e)?.[1])).toEqual(['state', 'logs', 'state', 'logs']);
    expect(events[0]).toContain('"project":"shop"');
    expect(events[2]).toContain('"routes"');
    expect(events[3]).toContain('boom ***');
    expect(events.join('')).not.toContain(SECRET);
  });
});
