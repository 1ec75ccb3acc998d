// The opentelemetry plugin and tracing instrumentations, as Kong 3.9.1 has them (PARITY.md, "Tracing"):
// the spans a proxied request makes and their hierarchy and attributes, the OTLP protobuf sent (decoded
// here by protobufjs from the OTLP definitions Kong ships), traceparent injected upstream and taken from
// the client, sampling, batching and retries of the queue, and the plugin's schema.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DecodedRequest, type DecodedSpan, decodeRequest } from '../../support/otlp.ts';
import { type KongNode, serviceWithRoute, startKong, waitFor } from './helpers/kong.ts';
import { type Env, setupKong, teardown } from './helpers/setup.ts';
import { type Echo, startEcho } from './helpers/upstream.ts';
import { loadConfig } from './src/config.ts';

interface Export {
  readonly contentType: string | undefined;
  readonly body: DecodedRequest;
}

/** An OTLP/HTTP endpoint that records what it gets; it fails the next `failNext` requests with 503. */
class Collector {
  readonly exports: Export[] = [];
  failNext = 0;
  failed = 0;
  server: Server;
  constructor() {
    this.server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (this.failNext > 0) {
        this.failNext--;
        this.failed++;
        res.writeHead(503).end('busy');
        return;
      }
      this.exports.push({
        contentType: req.headers['content-type'],
        body: decodeRequest(Buffer.concat(chunks)),
      });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }
  spans(): (DecodedSpan & { resource: Record<string, unknown>; scope: string })[] {
    return this.exports.flatMap((e) =>
      e.body.resources.flatMap((r) =>
        r.scopes.flatMap((s) => s.spans.map((span) => ({ ...span, resource: r.attributes, scope: s.name }))),
      ),
    );
  }
  trace(traceId: string) {
    return this.spans().filter((s) => s.traceId === traceId);
  }
}

let env: Env;
let echo: Echo;
const collector = new Collector();
let endpoint: string;
let nodeId: string;
const api = (...a: Parameters<Env['kong']['api']>) => env.kong.api(...a);

beforeAll(async () => {
  endpoint = await collector.listen();
  env = await setupKong({
    KONG_WORKER_CONSISTENCY: 'strict',
    KONG_TRACING_INSTRUMENTATIONS: 'all',
    KONG_TRACING_SAMPLING_RATE: '1.0',
  });
  echo = await startEcho('up');
  nodeId = (await api('GET', '/')).body.node_id;
  const plugin = await api('POST', '/plugins', {
    name: 'opentelemetry',
    config: {
      traces_endpoint: endpoint,
      queue: { max_coalescing_delay: 0.1 },
      propagation: { extract: ['w3c'], inject: ['w3c'], default_format: 'w3c' },
      http_response_header_for_traceid: 'x-trace-id',
    },
  });
  expect(plugin.status).toBe(201);
  await serviceWithRoute(env.kong, 'echo', { host: 'localhost', port: echo.port });
  await serviceWithRoute(env.kong, 'nowhere', { host: 'nowhere.invalid', port: 80 });
  // A port nothing listens on, two tries (retries 1): connection refused twice.
  await serviceWithRoute(env.kong, 'refused', { host: '127.0.0.1', port: 1, retries: 1 });
});
afterAll(async () => {
  await echo?.close();
  await teardown(env);
  collector.server.close();
});
beforeEach(() => {
  collector.failNext = 0;
});

async function proxy(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(env.kong.proxy + path, { headers });
  const text = await res.text();
  let body: { headers?: Record<string, string> } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Kong's own error page or plain text
  }
  return { res, body, text };
}

const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

function byName(spans: DecodedSpan[]): Record<string, DecodedSpan> {
  return Object.fromEntries(spans.map((s) => [s.name, s]));
}

describe('a proxied request', () => {
  it('makes the spans Kong makes, sends them as OTLP protobuf, and injects traceparent upstream', async () => {
    const { res, body } = await proxy('/echo/hello?x=1');
    expect(res.status).toBe(200);
    const sent = traceparent.exec(String(body.headers?.traceparent));
    expect(sent).not.toBeNull();
    const [, traceId = '', parentId = '', flags] = sent ?? [];
    expect(flags).toBe('01');
    expect(res.headers.get('x-trace-id')).toBe(traceId);
    const spans = await waitFor('the trace', async () => {
      const t = collector.trace(traceId);
      return t.length >= 6 ? t : undefined;
    });
    const s = byName(spans);
    expect(Object.keys(s).sort()).toEqual([
      'kong',
      'kong.access.plugin.opentelemetry',
      'kong.balancer',
      'kong.dns',
      'kong.header_filter.plugin.opentelemetry',
      'kong.router',
    ]);
    const root = s.kong as DecodedSpan;
    expect(root.parentSpanId).toBe('');
    expect(root.kind).toBe(2);
    expect(root.attributes).toMatchObject({
      'http.method': 'GET',
      'http.url': expect.stringMatching(/^http:\/\/127\.0\.0\.1\/echo\/hello\?x=1$/),
      'http.host': '127.0.0.1',
      'http.scheme': 'http',
      'http.flavor': '1.1',
      'http.client_ip': '127.0.0.1',
      'net.peer.ip': '127.0.0.1',
      'kong.request.id': res.headers.get('x-kong-request-id'),
      // http.status_code is the one int_value; other numbers are doubles.
      'http.status_code': 200,
      'http.route': '/echo',
    });
    for (const name of [
      'kong.router',
      'kong.access.plugin.opentelemetry',
      'kong.dns',
      'kong.header_filter.plugin.opentelemetry',
      'kong.balancer',
    ])
      expect(s[name]?.parentSpanId, name).toBe(root.spanId);
    expect(s['kong.router']?.kind).toBe(1);
    expect(s['kong.dns']).toMatchObject({
      kind: 3,
      attributes: {
        'dns.record.domain': 'localhost',
        'dns.record.port': { double: echo.port },
        'dns.record.ip': '127.0.0.1',
      },
    });
    // The span whose id went upstream as the parent is the balancer span.
    expect(s['kong.balancer']).toMatchObject({
      spanId: parentId,
      kind: 3,
      attributes: {
        try_count: { double: 1 },
        'net.peer.ip': '127.0.0.1',
        'net.peer.port': { double: echo.port },
        'net.peer.name': 'localhost',
      },
    });
    expect(s['kong.balancer']?.status).toBeUndefined();
    // Children lie within the root.
    for (const span of spans) {
      expect(BigInt(span.startTimeUnixNano) >= BigInt(root.startTimeUnixNano), span.name).toBe(true);
      expect(BigInt(span.endTimeUnixNano) <= BigInt(root.endTimeUnixNano), span.name).toBe(true);
    }
    const exported = collector.exports.find((e) =>
      e.body.resources[0]?.scopes[0]?.spans.some((x) => x.traceId === traceId),
    );
    expect(exported?.contentType).toBe('application/x-protobuf');
    expect(exported?.body.resources[0]?.attributes).toEqual({
      'service.name': 'kong',
      'service.instance.id': nodeId,
      'service.version': '3.9.1',
    });
    expect(exported?.body.resources[0]?.scopes[0]).toMatchObject({ name: 'kong-internal', version: '0.1.0' });
  });

  it('continues the trace of a sampled incoming traceparent', async () => {
    const incomingTrace = '0af7651916cd43dd8448eb211c80319c';
    const incomingSpan = 'b7ad6b7169203331';
    const { body } = await proxy('/echo', { traceparent: `00-${incomingTrace}-${incomingSpan}-01` });
    const [, traceId, parentId, flags] = traceparent.exec(String(body.headers?.traceparent)) ?? [];
    expect(traceId).toBe(incomingTrace);
    expect(flags).toBe('01');
    const spans = await waitFor('the continued trace', async () => {
      const t = collector.trace(incomingTrace);
      return t.length >= 6 ? t : undefined;
    });
    const s = byName(spans);
    expect(s.kong?.parentSpanId).toBe(incomingSpan);
    expect(s['kong.balancer']?.spanId).toBe(parentId);
  });

  it('follows an unsampled incoming traceparent: 00 upstream, nothing exported', async () => {
    const incomingTrace = '1af7651916cd43dd8448eb211c80319c';
    const { body } = await proxy('/echo', { traceparent: `00-${incomingTrace}-b7ad6b7169203331-00` });
    expect(String(body.headers?.traceparent)).toMatch(new RegExp(`^00-${incomingTrace}-[0-9a-f]{16}-00$`));
    // A sampled request sent after it is exported; the unsampled one still is not.
    const { body: after } = await proxy('/echo');
    const [, afterId] = traceparent.exec(String(after.headers?.traceparent)) ?? [];
    await waitFor('the next trace', async () => collector.trace(afterId ?? '').length >= 6 || undefined);
    expect(collector.trace(incomingTrace)).toEqual([]);
  });

  it('ignores an invalid traceparent and starts a new trace', async () => {
    const { body } = await proxy('/echo', {
      traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    });
    const [, traceId] = traceparent.exec(String(body.headers?.traceparent)) ?? [];
    expect(traceId).not.toBe('00000000000000000000000000000000');
    await waitFor(
      'warning',
      async () => env.kong.logs().includes('invalid W3C trace context trace ID; ignoring.') || undefined,
    );
  });

  it('traces a request no route matches: the router span is an error', async () => {
    const { res } = await proxy('/no-such-route');
    expect(res.status).toBe(404);
    const traceId = res.headers.get('x-trace-id') ?? '';
    const spans = await waitFor('404 trace', async () => {
      const t = collector.trace(traceId);
      return t.length >= 3 ? t : undefined;
    });
    const s = byName(spans);
    expect(Object.keys(s).sort()).toEqual(['kong', 'kong.header_filter.plugin.opentelemetry', 'kong.router']);
    expect(s['kong.router']?.status?.code).toBe(2);
    expect(s.kong?.attributes).toMatchObject({ 'http.status_code': 404, 'http.route': '' });
  });

  it('records a failed name resolution on the kong.dns span, with no balancer span', async () => {
    const { res } = await proxy('/nowhere');
    expect(res.status).toBe(503);
    const traceId = res.headers.get('x-trace-id') ?? '';
    const spans = await waitFor('dns failure trace', async () => {
      const t = collector.trace(traceId);
      return t.some((x) => x.name === 'kong.dns') && t.some((x) => x.name === 'kong') ? t : undefined;
    });
    const s = byName(spans);
    expect(s['kong.balancer']).toBeUndefined();
    expect(s['kong.dns']).toMatchObject({
      status: { code: 2 },
      attributes: { 'dns.record.domain': 'nowhere.invalid', 'dns.record.port': { double: 80 } },
    });
    expect(s['kong.dns']?.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        attributes: { 'exception.message': expect.stringMatching(/dns (server|client) error/) },
      }),
    ]);
    expect(s.kong?.attributes['http.status_code']).toBe(503);
  });

  it('records each failed try as a kong.balancer error span', async () => {
    const { res } = await proxy('/refused');
    expect(res.status).toBe(502);
    const traceId = res.headers.get('x-trace-id') ?? '';
    const spans = await waitFor('refused trace', async () => {
      const t = collector.trace(traceId);
      return t.filter((x) => x.name === 'kong.balancer').length >= 2 ? t : undefined;
    });
    const tries = spans.filter((x) => x.name === 'kong.balancer');
    expect(tries.map((t) => t.attributes.try_count)).toEqual([{ double: 1 }, { double: 2 }]);
    for (const t of tries) {
      expect(t.status?.code).toBe(2);
      expect(t.attributes['http.status_code']).toBe(502);
      expect(t.attributes['net.peer.port']).toEqual({ double: 1 });
    }
  });
});

describe('the plugin queue', () => {
  it('batches spans of several requests into one export', async () => {
    const before = collector.exports.length;
    const ids = await Promise.all(
      [1, 2, 3, 4].map(async () => (await proxy('/echo')).res.headers.get('x-trace-id') ?? ''),
    );
    await waitFor('four traces', async () => ids.every((id) => collector.trace(id).length >= 6) || undefined);
    // 24 spans within the 0.1 s coalescing delay: far fewer exports than spans.
    expect(collector.exports.length - before).toBeLessThan(8);
  });

  it('retries a batch the endpoint refused', async () => {
    collector.failNext = 2;
    const { res } = await proxy('/echo');
    const traceId = res.headers.get('x-trace-id') ?? '';
    await waitFor('retried export', async () => collector.trace(traceId).length >= 6 || undefined);
    expect(collector.failed).toBeGreaterThanOrEqual(2);
    await waitFor(
      'retry log',
      async () =>
        env.kong.logs().includes('handler could not process entries: response error: 503, body: busy') ||
        undefined,
    );
  });
});

describe('the plugin entity', () => {
  it('fills the schema defaults', async () => {
    const list = await api('GET', '/plugins');
    const otel = list.body.data.find((p: { name: string }) => p.name === 'opentelemetry');
    expect(otel.config).toMatchObject({
      traces_endpoint: endpoint,
      logs_endpoint: null,
      connect_timeout: 1000,
      send_timeout: 5000,
      read_timeout: 5000,
      header_type: 'preserve',
      sampling_rate: null,
      queue: {
        max_batch_size: 200,
        max_coalescing_delay: 0.1,
        max_entries: 10000,
        max_retry_time: 60,
        initial_retry_delay: 0.01,
        max_retry_delay: 60,
        concurrency_limit: 1,
      },
      propagation: { extract: ['w3c'], inject: ['w3c'], default_format: 'w3c', clear: null },
    });
  });

  it('refuses a config with no endpoint, or a bad one', async () => {
    const none = await api('POST', '/plugins', {
      name: 'opentelemetry',
      config: {},
      route: { name: 'echo' },
    });
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body.fields)).toContain(
      "at least one of these fields must be non-empty: 'traces_endpoint', 'logs_endpoint'",
    );
    const bad = await api('POST', '/plugins', {
      name: 'opentelemetry',
      config: { traces_endpoint: 'not a url' },
      route: { name: 'echo' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.config.traces_endpoint).toBe('missing host in url');
    const noFormat = await api('POST', '/plugins', {
      name: 'opentelemetry',
      config: { traces_endpoint: endpoint, propagation: { extract: ['w3c'] } },
      route: { name: 'echo' },
    });
    expect(noFormat.status).toBe(400);
    expect(noFormat.body.fields.config.propagation.default_format).toBe('required field missing');
  });
});

describe('tracing_instrumentations', () => {
  it('defaults to off and 0.01; refuses unknown types and off with others', () => {
    expect(loadConfig({}).raw).toMatchObject({
      tracing_instrumentations: 'off',
      tracing_sampling_rate: '0.01',
    });
    expect(() => loadConfig({ KONG_TRACING_INSTRUMENTATIONS: 'bogus' })).toThrow(
      'invalid tracing type: bogus',
    );
    expect(() => loadConfig({ KONG_TRACING_INSTRUMENTATIONS: 'off,router' })).toThrow(
      'invalid tracing types: off, other types are mutually exclusive',
    );
    expect(() => loadConfig({ KONG_TRACING_SAMPLING_RATE: '2' })).toThrow(
      'tracing_sampling_rate must be between 0 and 1',
    );
  });

  describe('off, with the plugin enabled', () => {
    let node: KongNode;
    beforeAll(async () => {
      // A second node on the same database: the same plugin and routes, tracing off.
      node = await startKong({ ...env.dbEnv, KONG_WORKER_CONSISTENCY: 'strict' });
    });
    afterAll(async () => {
      await node?.stop();
    });

    it('only propagates: traceparent upstream, unsampled, and no span exported', async () => {
      const res = await fetch(`${node.proxy}/echo`);
      const body = (await res.json()) as { headers: Record<string, string> };
      const [, traceId, , flags] = traceparent.exec(String(body.headers.traceparent)) ?? [];
      expect(flags).toBe('00');
      // A request through the traced node afterwards is exported; the untraced one never was.
      const { res: traced } = await proxy('/echo');
      const tracedId = traced.headers.get('x-trace-id') ?? '';
      await waitFor('traced node export', async () => collector.trace(tracedId).length >= 6 || undefined);
      expect(collector.trace(traceId ?? '')).toEqual([]);
    });
  });
});
