// The trace receiver (stacks/traces) in this process: OTLP protobuf as protobufjs encodes it from the
// opentelemetry-proto definitions, the same data as OTLP JSON, the store's bounds, the query API, and
// bad input of every kind answered with a 4xx while the receiver keeps serving within its bounds.

import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeJson } from '../stacks/traces/otlp-json.ts';
import { decodeProtobuf, WireError } from '../stacks/traces/otlp-protobuf.ts';
import { createReceiverServer } from '../stacks/traces/server.ts';
import type { Span } from '../stacks/traces/span.ts';
import { TraceStore } from '../stacks/traces/trace-store.ts';
import { decodeStatus, ExportTraceServiceResponse, encodeRequest } from './support/otlp.ts';

const TRACE = '5b8efff798038103d269b633813fc60c';
const ROOT = 'eee19b7ec3c1b174';
const CHILD = 'eee19b7ec3c1b173';
const T0 = 1_750_000_000_123_456_789n;

function sampleObject() {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'kong' } },
            { key: 'service.version', value: { stringValue: '3.9.1' } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'kong-internal', version: '0.1.0' },
            spans: [
              {
                traceId: Buffer.from(TRACE, 'hex'),
                spanId: Buffer.from(ROOT, 'hex'),
                name: 'kong',
                kind: 2,
                startTimeUnixNano: T0.toString(),
                endTimeUnixNano: (T0 + 12_345_000n).toString(),
                attributes: [
                  { key: 'http.route', value: { stringValue: '/orders' } },
                  { key: 'http.method', value: { stringValue: 'POST' } },
                  { key: 'http.status_code', value: { intValue: 202 } },
                  { key: 'net.peer.port', value: { doubleValue: 8080 } },
                  { key: 'negative', value: { intValue: -5 } },
                  { key: 'flag', value: { boolValue: true } },
                  {
                    key: 'nested',
                    value: {
                      kvlistValue: {
                        values: [
                          {
                            key: 'list',
                            value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } },
                          },
                        ],
                      },
                    },
                  },
                  { key: 'raw', value: { bytesValue: Buffer.from([0xde, 0xad]) } },
                ],
              },
              {
                traceId: Buffer.from(TRACE, 'hex'),
                spanId: Buffer.from(CHILD, 'hex'),
                parentSpanId: Buffer.from(ROOT, 'hex'),
                name: 'kong.dns',
                kind: 3,
                startTimeUnixNano: (T0 + 1_000_000n).toString(),
                endTimeUnixNano: (T0 + 2_500_000n).toString(),
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: (T0 + 2_000_000n).toString(),
                    attributes: [
                      { key: 'exception.message', value: { stringValue: 'dns server error: 3 name error' } },
                    ],
                  },
                ],
                status: { code: 2, message: '' },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** The same request in OTLP's JSON encoding (hex ids, int64 as strings, enums as integers). */
function sampleJson() {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'kong' } },
            { key: 'service.version', value: { stringValue: '3.9.1' } },
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'kong-internal', version: '0.1.0' },
            spans: [
              {
                traceId: TRACE.toUpperCase(),
                spanId: ROOT,
                name: 'kong',
                kind: 2,
                startTimeUnixNano: T0.toString(),
                endTimeUnixNano: (T0 + 12_345_000n).toString(),
                attributes: [
                  { key: 'http.route', value: { stringValue: '/orders' } },
                  { key: 'http.method', value: { stringValue: 'POST' } },
                  { key: 'http.status_code', value: { intValue: '202' } },
                  { key: 'net.peer.port', value: { doubleValue: 8080 } },
                  { key: 'negative', value: { intValue: -5 } },
                  { key: 'flag', value: { boolValue: true } },
                  {
                    key: 'nested',
                    value: {
                      kvlistValue: {
                        values: [
                          {
                            key: 'list',
                            value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } },
                          },
                        ],
                      },
                    },
                  },
                  { key: 'raw', value: { bytesValue: Buffer.from([0xde, 0xad]).toString('base64') } },
                  { key: 'ignored' },
                ],
                unknownField: { whatever: 1 },
              },
              {
                traceId: TRACE,
                spanId: CHILD,
                parentSpanId: ROOT,
                name: 'kong.dns',
                kind: 3,
                startTimeUnixNano: (T0 + 1_000_000n).toString(),
                endTimeUnixNano: Number(T0 + 2_500_000n),
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: (T0 + 2_000_000n).toString(),
                    attributes: [
                      { key: 'exception.message', value: { stringValue: 'dns server error: 3 name error' } },
                    ],
                  },
                ],
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  };
}

function checkSample(spans: Span[]): void {
  expect(spans).toHaveLength(2);
  const [root, dns] = spans as [Span, Span];
  expect(root).toMatchObject({
    traceId: TRACE,
    spanId: ROOT,
    parentSpanId: '',
    name: 'kong',
    kind: 2,
    service: 'kong',
    scope: 'kong-internal',
    status: { code: 0, message: '' },
  });
  expect(root.startMs).toBe(1_750_000_000_123.456);
  expect(root.endMs - root.startMs).toBeCloseTo(12.345, 3);
  expect(root.attributes).toEqual({
    'http.route': '/orders',
    'http.method': 'POST',
    'http.status_code': 202,
    'net.peer.port': 8080,
    negative: -5,
    flag: true,
    nested: { list: ['a', 2] },
    raw: 'dead',
    ...(root.attributes.ignored === null ? { ignored: null } : {}),
  });
  expect(root.resource['service.version']).toBe('3.9.1');
  expect(dns).toMatchObject({ parentSpanId: ROOT, name: 'kong.dns', kind: 3, status: { code: 2 } });
  expect(dns.events).toEqual([
    {
      name: 'exception',
      timeMs: 1_750_000_000_125.456,
      attributes: { 'exception.message': 'dns server error: 3 name error' },
    },
  ]);
}

describe('decoding', () => {
  it('decodes OTLP protobuf as protobufjs encodes it from the proto definitions', () => {
    const decoded = decodeProtobuf(encodeRequest(sampleObject()));
    expect(decoded.rejected).toBe(0);
    checkSample(decoded.spans);
    expect(decoded.sizes.every((n) => n > 20)).toBe(true);
  });

  it('decodes the same request as OTLP JSON, ignoring unknown keys', () => {
    const decoded = decodeJson(sampleJson());
    checkSample(decoded.spans);
  });

  it('takes the deprecated instrumentation_library_spans (field 1000) as scope spans', () => {
    const scoped = encodeRequest(sampleObject());
    const decoded = decodeProtobuf(scoped);
    // Rewrite field 2 of ResourceSpans (scope_spans) to 1000: same bytes under the old field number.
    const sample = sampleObject();
    const legacy = encodeRequest({
      resourceSpans: [
        {
          resource: sample.resourceSpans[0]?.resource,
          instrumentationLibrarySpans: [
            {
              instrumentationLibrary: { name: 'old-lib' },
              spans: sample.resourceSpans[0]?.scopeSpans[0]?.spans,
            },
          ],
        },
      ],
    });
    const old = decodeProtobuf(legacy);
    expect(old.spans.map((s) => s.name)).toEqual(decoded.spans.map((s) => s.name));
    expect(old.spans[0]?.scope).toBe('old-lib');
  });

  it('rejects spans with invalid ids, keeping the rest', () => {
    const o = sampleObject();
    const spans = o.resourceSpans[0]?.scopeSpans[0]?.spans as { traceId: Buffer }[];
    (spans[1] as { traceId: Buffer }).traceId = Buffer.alloc(16);
    const decoded = decodeProtobuf(encodeRequest(o));
    expect(decoded.spans.map((s) => s.name)).toEqual(['kong']);
    expect(decoded.rejected).toBe(1);
    expect(decoded.rejection).toMatch(/invalid trace id/);
  });

  it('refuses bodies that are not an ExportTraceServiceRequest', () => {
    expect(() => decodeProtobuf(Buffer.from('this is not protobuf at all'))).toThrow(WireError);
    expect(() => decodeProtobuf(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1]))).toThrow(/runs past/);
    expect(() => decodeProtobuf(Uint8Array.from([0x0a]))).toThrow(/truncated/);
    // A message nested 40 levels deep (arrays in arrays) is refused, not recursed into.
    let value = Buffer.from([0x0a, 0x00]); // AnyValue { string_value: '' }
    for (let i = 0; i < 40; i++) {
      const array = Buffer.concat([Buffer.from([0x0a]), varint(value.length), value]); // ArrayValue.values
      value = Buffer.concat([Buffer.from([0x2a]), varint(array.length), array]); // AnyValue.array_value
    }
    const kv = Buffer.concat([Buffer.from([0x0a, 1, 0x6b, 0x12]), varint(value.length), value]);
    const attr = Buffer.concat([Buffer.from([0x0a]), varint(kv.length), kv]);
    const resource = Buffer.concat([Buffer.from([0x0a]), varint(attr.length), attr]);
    const body = Buffer.concat([Buffer.from([0x0a]), varint(resource.length), resource]);
    expect(() => decodeProtobuf(body)).toThrow(/nested deeper than 32/);
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function span(traceId: string, spanId: string, extra: Partial<Span> = {}): Span {
  return {
    traceId,
    spanId,
    parentSpanId: '',
    name: 'x',
    kind: 1,
    startMs: 1000,
    endMs: 1010,
    attributes: {},
    events: [],
    status: { code: 0, message: '' },
    service: 'svc',
    resource: {},
    scope: '',
    ...extra,
  };
}

const id = (n: number, width = 32) => n.toString(16).padStart(width, '0');

describe('TraceStore', () => {
  it('keeps at most maxTraces, dropping the oldest first, and says how many it dropped', () => {
    const drops: { traces: number; spans: number }[] = [];
    const store = new TraceStore({ maxTraces: 3, maxBytes: 1e9, maxSpansPerTrace: 100 }, (d) =>
      drops.push(d),
    );
    for (let i = 1; i <= 5; i++) store.add([span(id(i), id(i, 16))], [100]);
    // trace 1 gets one more span: still the oldest by first arrival, so it is dropped anyway
    expect(store.get(id(1))).toBeUndefined();
    expect(store.get(id(2))).toBeUndefined();
    expect(store.get(id(3))).toBeDefined();
    expect(store.stats()).toMatchObject({
      traces: 3,
      droppedTraces: 2,
      droppedSpans: 2,
      spans: 3,
      bytes: 300,
    });
    expect(drops).toEqual([
      { traces: 1, spans: 1 },
      { traces: 1, spans: 1 },
    ]);
  });

  it('keeps at most maxBytes of spans, dropping the oldest traces first', () => {
    const store = new TraceStore({ maxTraces: 1000, maxBytes: 1000, maxSpansPerTrace: 100 });
    for (let i = 1; i <= 10; i++) store.add([span(id(i), id(i, 16))], [300]);
    const stats = store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(1000);
    expect(stats.traces).toBe(3);
    expect(store.query({}).map((s) => s.traceId)).toEqual([id(10), id(9), id(8)]);
  });

  it('caps the spans of one trace, so one trace cannot push out every other', () => {
    const store = new TraceStore({ maxTraces: 10, maxBytes: 1e9, maxSpansPerTrace: 2 });
    store.add([span(id(1), id(1, 16)), span(id(1), id(2, 16)), span(id(1), id(3, 16))], [10, 10, 10]);
    expect(store.get(id(1))?.spans).toHaveLength(2);
    expect(store.stats().droppedSpans).toBe(1);
  });

  it('summarises a trace: route, status, services in order, errors; and filters on them', () => {
    const store = new TraceStore({ maxTraces: 10, maxBytes: 1e9, maxSpansPerTrace: 100 });
    const a = id(0xa);
    store.add(
      [
        span(a, id(1, 16), {
          name: 'kong',
          service: 'kong',
          startMs: 1000,
          endMs: 1050,
          attributes: { 'http.route': '/orders', 'http.status_code': 202, 'http.method': 'POST' },
        }),
        span(a, id(2, 16), { parentSpanId: id(1, 16), service: 'orders', startMs: 1005, endMs: 1040 }),
        span(a, id(3, 16), { parentSpanId: id(2, 16), service: 'orders', startMs: 1010, endMs: 1200 }),
      ],
      [1, 1, 1],
    );
    const b = id(0xb);
    store.add(
      [
        span(b, id(4, 16), {
          name: 'kong',
          service: 'kong',
          startMs: 2000,
          endMs: 2003,
          attributes: { 'http.route': '/billing', 'http.status_code': 503 },
        }),
        span(b, id(5, 16), {
          parentSpanId: id(4, 16),
          service: 'kong',
          startMs: 2001,
          endMs: 2002,
          status: { code: 2, message: '' },
        }),
      ],
      [1, 1],
    );
    const [sb, sa] = store.query({});
    expect(sa).toMatchObject({
      traceId: a,
      route: '/orders',
      status: 202,
      method: 'POST',
      services: ['kong', 'orders'],
      spanCount: 3,
      durationMs: 200,
      error: false,
      name: 'kong',
    });
    expect(sb).toMatchObject({ traceId: b, status: 503, error: true });
    expect(store.query({ route: '/orders' }).map((s) => s.traceId)).toEqual([a]);
    expect(store.query({ route: '/ord' })).toEqual([]);
    expect(store.query({ service: 'orders' }).map((s) => s.traceId)).toEqual([a]);
    expect(store.query({ errors: true }).map((s) => s.traceId)).toEqual([b]);
    expect(store.query({ status: '5xx' }).map((s) => s.traceId)).toEqual([b]);
    expect(store.query({ status: '202' }).map((s) => s.traceId)).toEqual([a]);
    expect(store.query({ minDurationMs: 100 }).map((s) => s.traceId)).toEqual([a]);
    const seq = store.stats().seq;
    expect(store.query({ updatedAfter: seq })).toEqual([]);
    store.add([span(a, id(6, 16), { parentSpanId: id(3, 16), service: 'orders' })], [1]);
    expect(store.query({ updatedAfter: seq }).map((s) => s.traceId)).toEqual([a]);
  });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  port: number,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    chunks?: number;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'POST', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    if (options.chunks !== undefined) {
      // A chunked body that never ends by itself: the receiver must stop it.
      const piece = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < (options.chunks ?? 0)) {
          sent++;
          if (!req.write(piece)) return req.once('drain', pump);
        }
        req.end();
      };
      req.on('error', () => {});
      pump();
      return;
    }
    req.end(options.body);
  });
}

describe('the receiver over HTTP', () => {
  let server: ReturnType<typeof createReceiverServer>;
  let port: number;
  let store: TraceStore;
  const logs: string[] = [];
  const LIMIT = 256 * 1024;

  beforeEach(async () => {
    store = new TraceStore({ maxTraces: 50, maxBytes: 64 * 1024, maxSpansPerTrace: 100 });
    server = createReceiverServer({ store, maxBodyBytes: LIMIT, maxInflight: 2, log: (m) => logs.push(m) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const proto = { 'content-type': 'application/x-protobuf' };
  const json = { 'content-type': 'application/json' };

  it('takes protobuf and JSON on /v1/traces and answers the spec’s success messages', async () => {
    const pb = await send(port, '/v1/traces', {
      headers: proto,
      body: Buffer.from(encodeRequest(sampleObject())),
    });
    expect(pb.status).toBe(200);
    expect(pb.headers['content-type']).toBe('application/x-protobuf');
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(pb.body))).toEqual({});
    const js = await send(port, '/v1/traces', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(sampleJson()),
    });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('application/json');
    expect(JSON.parse(js.body.toString())).toEqual({});
    const gz = await send(port, '/v1/traces', {
      headers: { ...proto, 'content-encoding': 'gzip' },
      body: gzipSync(encodeRequest(sampleObject())),
    });
    expect(gz.status).toBe(200);
    // The same spans three times: one trace (duplicates are the client's retries, kept as sent).
    const list = JSON.parse((await send(port, '/api/traces', { method: 'GET' })).body.toString());
    expect(list.traces).toHaveLength(1);
    expect(list.traces[0]).toMatchObject({ traceId: TRACE, route: '/orders', status: 202, error: true });
    const one = JSON.parse((await send(port, `/api/traces/${TRACE}`, { method: 'GET' })).body.toString());
    expect(one.spans).toHaveLength(6);
    expect(one.summary.traceId).toBe(TRACE);
    expect((await send(port, `/api/traces/${'1'.repeat(32)}`, { method: 'GET' })).status).toBe(404);
    expect((await send(port, '/api/traces?limit=x', { method: 'GET' })).status).toBe(400);
  });

  it('answers partial success when it rejects spans', async () => {
    const o = sampleObject();
    const spans = o.resourceSpans[0]?.scopeSpans[0]?.spans as { spanId: Buffer }[];
    (spans[1] as { spanId: Buffer }).spanId = Buffer.from('00', 'hex');
    const res = await send(port, '/v1/traces', { headers: proto, body: Buffer.from(encodeRequest(o)) });
    expect(res.status).toBe(200);
    const answer = ExportTraceServiceResponse.decode(res.body);
    // ExportTraceServiceResponse in Kong's 3.9.1 proto copy has no fields: read partial_success raw.
    expect(res.body.length).toBeGreaterThan(0);
    expect(answer).toBeDefined();
    expect(res.body.toString('latin1')).toContain('invalid span id');
    const js = await send(port, '/v1/traces', {
      headers: json,
      body: JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: 'zz' }] }] }],
      }),
    });
    expect(JSON.parse(js.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: 'a span has an invalid trace id (16 bytes, not all zero)',
      },
    });
  });

  it('answers bad input with 4xx and a Status, keeps serving, and stays within its bounds', async () => {
    const garbage = await send(port, '/v1/traces', {
      headers: proto,
      body: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    });
    expect(garbage.status).toBe(400);
    expect(garbage.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(garbage.body)).toMatchObject({
      code: 3,
      message: expect.stringMatching(/^not an ExportTraceServiceRequest/),
    });

    const text = await send(port, '/v1/traces', { headers: proto, body: 'hello, this is text' });
    expect(text.status).toBe(400);

    const badJson = await send(port, '/v1/traces', { headers: json, body: '{"resourceSpans": [' });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body.toString()).message).toMatch(/not JSON/);

    const wrongShape = await send(port, '/v1/traces', {
      headers: json,
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: 'soon' }] }] }] }),
    });
    expect(wrongShape.status).toBe(400);
    expect(JSON.parse(wrongShape.body.toString()).message).toContain(
      'resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano',
    );

    const type = await send(port, '/v1/traces', { headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(type.status).toBe(415);
    expect(decodeStatus(type.body).message).toMatch(/application\/x-protobuf or application\/json/);

    const method = await send(port, '/v1/traces', { method: 'GET' });
    expect(method.status).toBe(405);

    const declaredHuge = await send(port, '/v1/traces', {
      headers: { ...proto, 'content-length': String(10 * LIMIT) },
      body: Buffer.alloc(0),
    }).catch((e: Error) => ({ status: -1, error: e }));
    expect(declaredHuge.status).toBe(413);

    const streamed = await send(port, '/v1/traces', { headers: proto, chunks: 200 });
    expect(streamed.status).toBe(413);

    // A gzip bomb: 64 KiB that inflates to 64 MiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT);
    const inflated = await send(port, '/v1/traces', {
      headers: { ...proto, 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(inflated.status).toBe(413);

    const encoding = await send(port, '/v1/traces', {
      headers: { ...proto, 'content-encoding': 'br' },
      body: 'x',
    });
    expect(encoding.status).toBe(415);

    // Still serving, and a flood of valid traces stays within the byte bound.
    for (let i = 0; i < 300; i++) {
      const o = sampleObject();
      for (const s of o.resourceSpans[0]?.scopeSpans[0]?.spans ?? [])
        s.traceId = Buffer.from(id(i + 1), 'hex');
      const ok = await send(port, '/v1/traces', { headers: proto, body: Buffer.from(encodeRequest(o)) });
      expect(ok.status).toBe(200);
    }
    const stats = JSON.parse((await send(port, '/api/stats', { method: 'GET' })).body.toString());
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.traces).toBeLessThanOrEqual(50);
    expect(stats.droppedTraces).toBeGreaterThan(0);
    expect((await send(port, '/healthz', { method: 'GET' })).status).toBe(200);
    expect(logs.filter((l) => l.startsWith('internal error'))).toEqual([]);
  });

  it('answers 503 with Retry-After while too many bodies are in flight', async () => {
    // Two requests that send headers and then stall hold both slots.
    const stalled = [0, 1].map(() => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: proto });
      req.on('error', () => {});
      req.write(Buffer.from([0x0a]));
      return req;
    });
    await waitFor(async () => {
      const stats = JSON.parse((await send(port, '/api/stats', { method: 'GET' })).body.toString());
      return stats.inflightBodies === 2;
    });
    const busy = await send(port, '/v1/traces', { headers: proto, body: Buffer.alloc(0) });
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    for (const r of stalled) r.destroy();
  });
});
