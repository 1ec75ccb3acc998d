// OTLP/HTTP's binary body: an ExportTraceServiceRequest (opentelemetry-proto,
// opentelemetry/proto/collector/trace/v1/trace_service.proto and the messages it uses), decoded into
// the receiver's spans. Only what the receiver keeps is read; every other field is skipped, as
// protobuf requires of unknown fields. A span with bad ids is rejected (counted), not the request.
import { Reader, WIRE, WireError } from './protobuf-reader.ts';
import {
  type Attributes,
  type AttributeValue,
  type Decoded,
  idProblem,
  kindOf,
  nanosToMs,
  type Span,
  type SpanEvent,
  statusCodeOf,
  toHex,
} from './span.ts';

function anyValue(r: Reader): AttributeValue {
  let value: AttributeValue = null;
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) value = r.string();
    else if (field === 2 && wire === WIRE.VARINT) value = r.varint() !== 0;
    else if (field === 3 && wire === WIRE.VARINT) {
      const n = BigInt.asIntN(64, r.varint64());
      value =
        n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n);
    } else if (field === 4 && wire === WIRE.I64) value = r.double();
    else if (field === 5 && wire === WIRE.LEN) value = arrayValue(r.message());
    else if (field === 6 && wire === WIRE.LEN) value = keyValues(r.message(), 1);
    else if (field === 7 && wire === WIRE.LEN) value = toHex(r.bytes());
    else r.skip(wire);
  }
  return value;
}

function arrayValue(r: Reader): AttributeValue[] {
  const out: AttributeValue[] = [];
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) out.push(anyValue(r.message()));
    else r.skip(wire);
  }
  return out;
}

function keyValue(r: Reader, into: Attributes): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) key = r.string();
    else if (field === 2 && wire === WIRE.LEN) value = anyValue(r.message());
    else r.skip(wire);
  }
  if (key !== '') into[key] = value;
}

/** The KeyValue entries of a message, at `field` (attributes, KeyValueList.values). */
function keyValues(r: Reader, kvField: number): Attributes {
  const out: Attributes = {};
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === kvField && wire === WIRE.LEN) keyValue(r.message(), out);
    else r.skip(wire);
  }
  return out;
}

function event(r: Reader): SpanEvent {
  let timeMs = 0;
  let name = '';
  const attributes: Attributes = {};
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.I64) timeMs = nanosToMs(r.fixed64());
    else if (field === 2 && wire === WIRE.LEN) name = r.string();
    else if (field === 3 && wire === WIRE.LEN) keyValue(r.message(), attributes);
    else r.skip(wire);
  }
  return { name, timeMs, attributes };
}

function status(r: Reader): Span['status'] {
  let code = 0;
  let message = '';
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 2 && wire === WIRE.LEN) message = r.string();
    else if (field === 3 && wire === WIRE.VARINT) code = r.varint();
    else r.skip(wire);
  }
  return { code: statusCodeOf(code), message };
}

interface Context {
  readonly service: string;
  readonly resource: Attributes;
  readonly scope: string;
}

function span(r: Reader, ctx: Context): Span {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let startMs = 0;
  let endMs = 0;
  const attributes: Attributes = {};
  const events: SpanEvent[] = [];
  let spanStatus: Span['status'] = { code: 0, message: '' };
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) traceId = toHex(r.bytes());
    else if (field === 2 && wire === WIRE.LEN) spanId = toHex(r.bytes());
    else if (field === 4 && wire === WIRE.LEN) parentSpanId = toHex(r.bytes());
    else if (field === 5 && wire === WIRE.LEN) name = r.string();
    else if (field === 6 && wire === WIRE.VARINT) kind = r.varint();
    else if (field === 7 && wire === WIRE.I64) startMs = nanosToMs(r.fixed64());
    else if (field === 8 && wire === WIRE.I64) endMs = nanosToMs(r.fixed64());
    else if (field === 9 && wire === WIRE.LEN) keyValue(r.message(), attributes);
    else if (field === 11 && wire === WIRE.LEN) events.push(event(r.message()));
    else if (field === 15 && wire === WIRE.LEN) spanStatus = status(r.message());
    else r.skip(wire);
  }
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: kindOf(kind),
    startMs,
    endMs: Math.max(endMs, startMs),
    attributes,
    events,
    status: spanStatus,
    ...ctx,
  };
}

/** InstrumentationScope (and the deprecated InstrumentationLibrary): its name. */
function scopeName(r: Reader): string {
  let name = '';
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) name = r.string();
    else r.skip(wire);
  }
  return name;
}

interface Sink {
  spans: Span[];
  sizes: number[];
  rejected: number;
  rejection?: string;
}

/** ScopeSpans (and the deprecated InstrumentationLibrarySpans, field 1000 of ResourceSpans). */
function scopeSpans(r: Reader, service: string, resource: Attributes, sink: Sink): void {
  let scope = '';
  const raw: Reader[] = [];
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) scope = scopeName(r.message());
    else if (field === 2 && wire === WIRE.LEN) raw.push(r.message());
    else r.skip(wire);
  }
  for (const s of raw) {
    const size = s.end - s.pos;
    const decoded = span(s, { service, resource, scope });
    const problem = idProblem(decoded.traceId, decoded.spanId, decoded.parentSpanId);
    if (problem) {
      sink.rejected++;
      sink.rejection ??= problem;
      continue;
    }
    sink.spans.push(decoded);
    sink.sizes.push(size);
  }
}

function resourceSpans(r: Reader, sink: Sink): void {
  let resource: Attributes = {};
  const scopes: Reader[] = [];
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE.LEN) resource = keyValues(r.message(), 1);
    else if ((field === 2 || field === 1000) && wire === WIRE.LEN) scopes.push(r.message());
    else r.skip(wire);
  }
  const name = resource['service.name'];
  const service = typeof name === 'string' && name !== '' ? name : 'unknown_service';
  for (const s of scopes) scopeSpans(s, service, resource, sink);
}

/** Decodes an ExportTraceServiceRequest; throws WireError on a body that is not one. */
export function decodeProtobuf(body: Uint8Array): Decoded {
  const sink: Sink = { spans: [], sizes: [], rejected: 0 };
  const r = new Reader(body);
  let known = 0;
  while (r.more()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(wire, WIRE.LEN, 'resource_spans');
      resourceSpans(r.message(), sink);
      known++;
    } else r.skip(wire);
  }
  // Unknown fields are legal protobuf, but a non-empty request with nothing but unknown fields is no
  // exporter's: most likely some other body that happens to parse.
  if (body.length > 0 && known === 0) throw new WireError('no resource_spans in a non-empty body');
  return sink;
}

export { WireError };
