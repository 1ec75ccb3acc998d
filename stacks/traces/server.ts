// The trace receiver's HTTP side: OTLP/HTTP on /v1/traces (protobuf and JSON, as the spec's
// "OTLP/HTTP" section has it: 200 with an ExportTraceServiceResponse, 4xx with a google.rpc.Status in
// the request's encoding, 413 past the size limit, 503 + Retry-After when too many bodies are in
// flight), and the query API mkdev's CLI and dashboard read:
//   GET /api/traces?service=&route=&status=&minDurationMs=&errors=true&updatedAfter=&limit=
//   GET /api/traces/<trace id>      GET /api/stats      GET /healthz
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { decodeJson, JsonShapeError } from './otlp-json.ts';
import { decodeProtobuf, WireError } from './otlp-protobuf.ts';
import { Writer } from './protobuf-reader.ts';
import { BodyError, type BodyKind, bodyKind, readBody } from './request-body.ts';
import type { Decoded } from './span.ts';
import type { TraceQuery, TraceStore } from './trace-store.ts';

export interface ReceiverOptions {
  readonly store: TraceStore;
  /** Largest body taken, before and after gzip (the spec recommends limiting it; 413 past it). */
  readonly maxBodyBytes: number;
  /** Bodies read at once; more get 503 + Retry-After, so memory stays within maxInflight x maxBodyBytes. */
  readonly maxInflight: number;
  readonly log: (message: string) => void;
}

/** google.rpc.Status code INVALID_ARGUMENT, for 400s (the spec lets a server omit or set it). */
const INVALID_ARGUMENT = 3;

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendOtlp(
  res: ServerResponse,
  kind: BodyKind,
  status: number,
  message: Uint8Array | undefined,
  json: unknown,
  headers: Record<string, string> = {},
) {
  if (kind === 'json') return sendJson(res, status, json, headers);
  const body = Buffer.from(message ?? new Uint8Array());
  res.writeHead(status, {
    'content-type': 'application/x-protobuf',
    'content-length': body.length,
    ...headers,
  });
  res.end(body);
}

/** A 4xx/5xx: google.rpc.Status { code = 1, message = 2 }, in the request's encoding. */
function sendFailure(
  res: ServerResponse,
  kind: BodyKind,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  const code = status === 400 ? INVALID_ARGUMENT : 0;
  const proto = new Writer();
  if (code) proto.uint(1, code);
  proto.string(2, message);
  sendOtlp(res, kind, status, proto.finish(), code ? { code, message } : { message }, headers);
}

/** 200: ExportTraceServiceResponse, with partial_success (field 1) when spans were rejected. */
function sendSuccess(res: ServerResponse, kind: BodyKind, decoded: Decoded) {
  if (decoded.rejected === 0) return sendOtlp(res, kind, 200, undefined, {});
  const message = decoded.rejection ?? 'spans rejected';
  const partial = new Writer().uint(1, decoded.rejected).string(2, message).finish();
  sendOtlp(res, kind, 200, new Writer().bytes(1, partial).finish(), {
    partialSuccess: { rejectedSpans: String(decoded.rejected), errorMessage: message },
  });
}

function decode(kind: BodyKind, body: Buffer): Decoded {
  if (kind === 'protobuf') return decodeProtobuf(body);
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new JsonShapeError(`the body is not JSON: ${(error as Error).message}`);
  }
  return decodeJson(parsed);
}

function queryOf(url: URL): TraceQuery | string {
  const p = url.searchParams;
  const num = (name: string) => {
    const v = p.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 ? n : Number.NaN;
  };
  const q: Record<string, unknown> = {};
  for (const name of ['service', 'route', 'status'] as const) {
    const v = p.get(name);
    if (v) q[name] = v;
  }
  if (p.get('errors') === 'true' || p.get('errors') === '1') q.errors = true;
  for (const name of ['minDurationMs', 'updatedAfter', 'limit'] as const) {
    const n = num(name);
    if (Number.isNaN(n)) return `${name} must be a number >= 0`;
    if (n !== undefined) q[name] = n;
  }
  return q as TraceQuery;
}

export function createReceiverServer(o: ReceiverOptions): Server {
  let inflight = 0;

  async function ingest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const kind = bodyKind(req.headers['content-type']);
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendFailure(res, kind ?? 'protobuf', 405, 'send OTLP traces with POST');
    }
    if (kind === undefined) {
      req.resume();
      return sendFailure(
        res,
        'protobuf',
        415,
        `Content-Type '${req.headers['content-type'] ?? ''}' is not OTLP: send application/x-protobuf or application/json`,
      );
    }
    if (inflight >= o.maxInflight) {
      req.resume();
      return sendFailure(res, kind, 503, 'too many requests in flight', { 'retry-after': '1' });
    }
    inflight++;
    try {
      const body = await readBody(req, o.maxBodyBytes);
      const decoded = decode(kind, body);
      o.store.add(decoded.spans, decoded.sizes, decoded.rejected);
      sendSuccess(res, kind, decoded);
    } catch (error) {
      if (error instanceof BodyError) {
        // Stop reading a body that is too large: answer, then close the connection.
        res.setHeader('connection', 'close');
        sendFailure(res, kind, error.status, error.message);
        res.once('finish', () => req.destroy());
      } else if (error instanceof WireError || error instanceof JsonShapeError) {
        sendFailure(res, kind, 400, `not an ExportTraceServiceRequest: ${error.message}`);
      } else throw error;
    } finally {
      inflight--;
    }
  }

  function api(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'the query API answers GET only' });
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/api/stats') {
      const mem = process.memoryUsage();
      return sendJson(res, 200, {
        ...o.store.stats(),
        inflightBodies: inflight,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
      });
    }
    if (url.pathname === '/api/traces') {
      const q = queryOf(url);
      if (typeof q === 'string') return sendJson(res, 400, { error: q });
      return sendJson(res, 200, { traces: o.store.query(q), seq: o.store.stats().seq });
    }
    const one = /^\/api\/traces\/([0-9a-fA-F]{32})$/.exec(url.pathname);
    if (one) {
      const trace = o.store.get(one[1] as string);
      if (trace === undefined) return sendJson(res, 404, { error: `no trace ${one[1]} (yet, or no longer)` });
      return sendJson(res, 200, trace);
    }
    return sendJson(res, 404, { error: `no ${req.method} ${url.pathname}` });
  }

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver.local');
    const handled = url.pathname === '/v1/traces' ? ingest(req, res) : Promise.resolve(api(req, res, url));
    handled.catch((error: unknown) => {
      o.log(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
}
