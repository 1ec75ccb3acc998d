// OTLP/HTTP's JSON body: the ExportTraceServiceRequest in protobuf's JSON mapping with OTLP's
// deviations (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"): lowerCamelCase keys,
// trace and span ids as hex strings, enums as integers, 64-bit integers as decimal strings or numbers.
// Unknown keys are ignored, as the spec requires. Base64 ids (protobuf's own JSON mapping, which some
// exporters send by mistake) are accepted too. A value of the wrong type is a 400 naming where it is.
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
} from './span.ts';

export class JsonShapeError extends Error {
  override name = 'JsonShapeError';
}

type Json = unknown;

function record(v: Json, at: string): Record<string, Json> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new JsonShapeError(`${at}: expected an object`);
  return v as Record<string, Json>;
}

function list(v: Json, at: string): Json[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonShapeError(`${at}: expected an array`);
  return v;
}

function text(v: Json, at: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new JsonShapeError(`${at}: expected a string`);
  return v;
}

function integer(v: Json, at: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw new JsonShapeError(`${at}: expected an integer`);
}

function nanos(v: Json, at: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v));
  throw new JsonShapeError(`${at}: expected a time in nanoseconds (a decimal string or number)`);
}

/** Hex as the spec says; base64 of the right length as protobuf's JSON mapping would have it. */
function id(v: Json, bytes: number, at: string): string {
  const s = text(v, at);
  if (s === '') return '';
  if (s.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(s)) return s.toLowerCase();
  if (s.length === Math.ceil(bytes / 3) * 4 && /^[A-Za-z0-9+/]+=*$/.test(s)) {
    const raw = Buffer.from(s, 'base64');
    if (raw.length === bytes) return raw.toString('hex');
  }
  return s.toLowerCase();
}

function anyValue(v: Json, at: string, depth: number): AttributeValue {
  if (depth > 32) throw new JsonShapeError(`${at}: values nested deeper than 32 levels`);
  const o = record(v, at);
  if ('stringValue' in o) return text(o.stringValue, `${at}.stringValue`);
  if ('boolValue' in o) {
    if (typeof o.boolValue !== 'boolean') throw new JsonShapeError(`${at}.boolValue: expected a boolean`);
    return o.boolValue;
  }
  if ('intValue' in o) {
    const raw = o.intValue;
    if (typeof raw === 'string' && /^-?\d+$/.test(raw)) {
      const n = BigInt(raw);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : raw;
    }
    return integer(raw, `${at}.intValue`);
  }
  if ('doubleValue' in o) {
    const d = o.doubleValue;
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && d.trim() !== '' && !Number.isNaN(Number(d))) return Number(d);
    throw new JsonShapeError(`${at}.doubleValue: expected a number`);
  }
  if ('arrayValue' in o)
    return list(record(o.arrayValue, `${at}.arrayValue`).values, `${at}.arrayValue.values`).map((x, i) =>
      anyValue(x, `${at}.arrayValue.values[${i}]`, depth + 1),
    );
  if ('kvlistValue' in o)
    return attributes(
      record(o.kvlistValue, `${at}.kvlistValue`).values,
      `${at}.kvlistValue.values`,
      depth + 1,
    );
  if ('bytesValue' in o) return Buffer.from(text(o.bytesValue, `${at}.bytesValue`), 'base64').toString('hex');
  return null;
}

function attributes(v: Json, at: string, depth = 0): Attributes {
  const out: Attributes = {};
  list(v, at).forEach((entry, i) => {
    const kv = record(entry, `${at}[${i}]`);
    const key = text(kv.key, `${at}[${i}].key`);
    if (key !== '') out[key] = anyValue(kv.value, `${at}[${i}].value`, depth);
  });
  return out;
}

function event(v: Json, at: string): SpanEvent {
  const e = record(v, at);
  return {
    name: text(e.name, `${at}.name`),
    timeMs: nanosToMs(nanos(e.timeUnixNano, `${at}.timeUnixNano`)),
    attributes: attributes(e.attributes, `${at}.attributes`),
  };
}

function span(v: Json, at: string, service: string, resource: Attributes, scope: string): Span {
  const s = record(v, at);
  const st = record(s.status, `${at}.status`);
  const startMs = nanosToMs(nanos(s.startTimeUnixNano, `${at}.startTimeUnixNano`));
  const endMs = nanosToMs(nanos(s.endTimeUnixNano, `${at}.endTimeUnixNano`));
  return {
    traceId: id(s.traceId, 16, `${at}.traceId`),
    spanId: id(s.spanId, 8, `${at}.spanId`),
    parentSpanId: id(s.parentSpanId, 8, `${at}.parentSpanId`),
    name: text(s.name, `${at}.name`),
    kind: kindOf(integer(s.kind, `${at}.kind`)),
    startMs,
    endMs: Math.max(endMs, startMs),
    attributes: attributes(s.attributes, `${at}.attributes`),
    events: list(s.events, `${at}.events`).map((e, i) => event(e, `${at}.events[${i}]`)),
    status: {
      code: statusCodeOf(integer(st.code, `${at}.status.code`)),
      message: text(st.message, `${at}.status.message`),
    },
    service,
    resource,
    scope,
  };
}

/** Decodes a parsed JSON ExportTraceServiceRequest; throws JsonShapeError when it is not one. */
export function decodeJson(body: Json): Decoded {
  const top = record(body, 'the body');
  if (body === null || Array.isArray(body)) throw new JsonShapeError('the body: expected an object');
  const out: Decoded = { spans: [], sizes: [], rejected: 0 };
  let rejection: string | undefined;
  list(top.resourceSpans, 'resourceSpans').forEach((rs, i) => {
    const at = `resourceSpans[${i}]`;
    const r = record(rs, at);
    const resource = attributes(record(r.resource, `${at}.resource`).attributes, `${at}.resource.attributes`);
    const name = resource['service.name'];
    const service = typeof name === 'string' && name !== '' ? name : 'unknown_service';
    list(r.scopeSpans, `${at}.scopeSpans`).forEach((ss, j) => {
      const sat = `${at}.scopeSpans[${j}]`;
      const scopeSpans = record(ss, sat);
      const scope = text(record(scopeSpans.scope, `${sat}.scope`).name, `${sat}.scope.name`);
      list(scopeSpans.spans, `${sat}.spans`).forEach((sp, k) => {
        const decoded = span(sp, `${sat}.spans[${k}]`, service, resource, scope);
        const problem = idProblem(decoded.traceId, decoded.spanId, decoded.parentSpanId);
        if (problem) {
          (out as { rejected: number }).rejected++;
          rejection ??= problem;
          return;
        }
        out.spans.push(decoded);
        out.sizes.push(JSON.stringify(sp).length);
      });
    });
  });
  return rejection === undefined ? out : { ...out, rejection };
}
