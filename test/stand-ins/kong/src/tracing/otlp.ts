// The OTLP payload Kong's opentelemetry plugin sends (kong/observability/otlp/init.lua @ 3.9.1): one
// ResourceSpans whose resource carries service.name = kong, service.instance.id = the node id and
// service.version = the Kong version (plugin resource_attributes override them), one ScopeSpans with
// scope kong-internal 0.1.0, and the batch's spans. Attribute types follow transform_value: strings ->
// string_value, numbers -> double_value, booleans -> bool_value, except http.status_code -> int_value.
// Encoded as protobuf by hand (lua-protobuf there); fields holding their proto3 default are left out.
import type { AttributeValue, Span } from './span.ts';

class Writer {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  private varint(value: bigint): void {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Buffer.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt(field * 8 + wire));
  }

  uint(field: number, value: number | bigint): this {
    if (value === 0 || value === 0n) return this;
    this.tag(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  /** An int64 written even when 0 (a oneof member, set on purpose); negatives as two's complement. */
  int64(field: number, value: number): this {
    this.tag(field, 0);
    this.varint(BigInt(Math.trunc(value)));
    return this;
  }

  bool(field: number, value: boolean): this {
    this.tag(field, 0);
    this.varint(value ? 1n : 0n);
    return this;
  }

  fixed64(field: number, value: bigint): this {
    if (value === 0n) return this;
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, value));
    this.push(b);
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Buffer | Uint8Array): this {
    if (value.length === 0) return this;
    this.tag(field, 2);
    this.varint(BigInt(value.length));
    this.push(Buffer.from(value));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** A string field written even when empty (a oneof member, set on purpose). */
  stringAlways(field: number, value: string): this {
    const b = Buffer.from(value, 'utf8');
    this.tag(field, 2);
    this.varint(BigInt(b.length));
    this.push(b);
    return this;
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    const body = inner.finish();
    this.tag(field, 2);
    this.varint(BigInt(body.length));
    this.push(body);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/** transform_value: http.status_code is an int_value; otherwise by Lua type. */
function anyValue(w: Writer, key: string, value: AttributeValue): void {
  if (key === 'http.status_code' && typeof value === 'number') w.int64(3, value);
  else if (typeof value === 'string') w.stringAlways(1, value);
  else if (typeof value === 'boolean') w.bool(2, value);
  else w.double(4, value);
}

function attributes(w: Writer, field: number, attrs: Record<string, AttributeValue> | undefined): void {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    w.message(field, (kv) => {
      kv.string(1, key);
      kv.message(2, (v) => anyValue(v, key, value));
    });
  }
}

/** to_ot_trace_id / to_ot_span_id: ids cut to their last N bytes or left-padded with zeros. */
function fitId(id: Buffer, length: number): Buffer {
  if (id.length > length) return id.subarray(id.length - length);
  if (id.length < length) return Buffer.concat([Buffer.alloc(length - id.length), id]);
  return id;
}

/** transform_span: one Span message, encoded once when the span is queued (as the plugin does). */
export function encodeSpan(span: Span, traceId: Buffer): Buffer {
  const w = new Writer();
  w.bytes(1, fitId(traceId, 16));
  w.bytes(2, span.spanId);
  if (span.parentId) w.bytes(4, fitId(span.parentId, 8));
  w.string(5, span.name);
  w.uint(6, span.kind);
  w.fixed64(7, span.startNs);
  w.fixed64(8, span.endNs ?? 0n);
  attributes(w, 9, span.attributes);
  for (const event of span.events ?? []) {
    w.message(11, (e) => {
      e.fixed64(1, event.timeNs);
      e.string(2, event.name);
      attributes(e, 3, event.attributes);
    });
  }
  if (span.status !== undefined) w.message(15, (s) => s.uint(3, span.status ?? 0));
  return w.finish();
}

/** encode_traces: the ExportTraceServiceRequest for a batch of encoded spans. */
export function encodeTraces(spans: readonly Buffer[], resource: Record<string, string>): Buffer {
  const w = new Writer();
  w.message(1, (rs) => {
    rs.message(1, (r) => attributes(r, 1, resource));
    rs.message(2, (ss) => {
      ss.message(1, (scope) => scope.string(1, 'kong-internal').string(2, '0.1.0'));
      for (const s of spans) ss.bytes(2, s);
    });
  });
  return w.finish();
}

/** default_resource_attributes merged with the plugin's resource_attributes (which win). */
export function resourceAttributes(
  nodeId: string,
  version: string,
  configured: Record<string, string> | null | undefined,
): Record<string, string> {
  return {
    'service.name': 'kong',
    'service.instance.id': nodeId,
    'service.version': version,
    ...(configured ?? {}),
  };
}
