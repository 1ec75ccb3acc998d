// OTLP encoded and decoded by protobufjs from the opentelemetry-proto definitions Kong 3.9.1 ships
// (test/fixtures/opentelemetry-proto): an independent check of mkdev's hand-written decoder
// (stacks/traces) and of the Kong stand-in's encoder, which must agree with it byte for byte.
import { join } from 'node:path';
import protobuf from 'protobufjs';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'opentelemetry-proto');

function load(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(ROOT, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  // google.rpc.Status, as OTLP/HTTP failures carry it (googleapis google/rpc/status.proto, without details).
  protobuf.parse(
    'syntax = "proto3"; package google.rpc; message Status { int32 code = 1; string message = 2; }',
    root,
  );
  root.resolveAll();
  return root;
}

const root = load();
export const ExportTraceServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
);
export const ExportTraceServiceResponse = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
);
export const RpcStatus = root.lookupType('google.rpc.Status');

/** Encodes a request given in protobufjs' object form (camelCase, Buffers for bytes, 64-bit values as strings). */
export function encodeRequest(value: Record<string, unknown>): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(value)).finish();
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: { name: string; timeUnixNano: string; attributes: Record<string, unknown> }[];
  status?: { code: number; message: string };
}

export interface DecodedRequest {
  resources: {
    attributes: Record<string, unknown>;
    scopes: { name: string; version: string; spans: DecodedSpan[] }[];
  }[];
}

type Pb = Record<string, unknown>;

function value(v: Pb | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return { double: v.doubleValue };
  if ('arrayValue' in v) return ((v.arrayValue as Pb).values as Pb[] | undefined)?.map(value) ?? [];
  if ('kvlistValue' in v) return attributes((v.kvlistValue as Pb).values as Pb[]);
  return undefined;
}

/** Attributes as key -> value; doubles as { double: n } so a test can tell them from int_value. */
function attributes(list: Pb[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value as Pb)]));
}

const hex = (b: unknown) => Buffer.from((b as Uint8Array | undefined) ?? []).toString('hex');

/** Decodes an ExportTraceServiceRequest body (as Kong's plugin sends it) into plain values. */
export function decodeRequest(body: Uint8Array): DecodedRequest {
  const msg = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), {
    longs: String,
    defaults: false,
    oneofs: false,
  }) as Pb;
  return {
    resources: ((msg.resourceSpans as Pb[] | undefined) ?? []).map((rs) => ({
      attributes: attributes((rs.resource as Pb | undefined)?.attributes as Pb[]),
      scopes: ((rs.scopeSpans as Pb[] | undefined) ?? []).map((ss) => ({
        name: String((ss.scope as Pb | undefined)?.name ?? ''),
        version: String((ss.scope as Pb | undefined)?.version ?? ''),
        spans: ((ss.spans as Pb[] | undefined) ?? []).map((s) => ({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
          attributes: attributes(s.attributes as Pb[]),
          events: ((s.events as Pb[] | undefined) ?? []).map((e) => ({
            name: String(e.name ?? ''),
            timeUnixNano: String(e.timeUnixNano ?? '0'),
            attributes: attributes(e.attributes as Pb[]),
          })),
          ...(s.status
            ? {
                status: {
                  code: Number((s.status as Pb).code ?? 0),
                  message: String((s.status as Pb).message ?? ''),
                },
              }
            : {}),
        })),
      })),
    })),
  };
}

export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  const msg = RpcStatus.toObject(RpcStatus.decode(body), { defaults: true }) as {
    code: number;
    message: string;
  };
  return msg;
}
