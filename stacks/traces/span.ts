// The receiver's model of a span, the same whether it arrived as OTLP protobuf or OTLP JSON: ids in
// lower-case hex, times in milliseconds since the epoch (microsecond precision), attributes as plain
// values. The query API answers with it (mkdev's CLI and dashboard read it: src/platform/traces.ts).

export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

/** OTLP's SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type SpanKind = 0 | 1 | 2 | 3 | 4 | 5;

export interface SpanEvent {
  readonly name: string;
  readonly timeMs: number;
  readonly attributes: Attributes;
}

export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Attributes;
  readonly events: readonly SpanEvent[];
  /** OTLP's StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: 0 | 1 | 2; readonly message: string };
  /** The resource's service.name ('unknown_service' when it has none, as the SDKs say). */
  readonly service: string;
  readonly resource: Attributes;
  readonly scope: string;
}

/** What a decoder makes of one request: spans, and how many it refused (and why). */
export interface Decoded {
  readonly spans: Span[];
  /** Approximate bytes each span took on the wire, for the store's byte bound. */
  readonly sizes: number[];
  readonly rejected: number;
  readonly rejection?: string;
}

const HEX = /^[0-9a-f]*$/;

/** Checks the ids of a decoded span: a 16-byte trace id and an 8-byte span id, neither all zeros. */
export function idProblem(traceId: string, spanId: string, parentSpanId: string): string | undefined {
  if (traceId.length !== 32 || !HEX.test(traceId) || /^0+$/.test(traceId))
    return 'a span has an invalid trace id (16 bytes, not all zero)';
  if (spanId.length !== 16 || !HEX.test(spanId) || /^0+$/.test(spanId))
    return 'a span has an invalid span id (8 bytes, not all zero)';
  if (parentSpanId !== '' && (parentSpanId.length !== 16 || !HEX.test(parentSpanId)))
    return 'a span has an invalid parent span id (8 bytes)';
  return undefined;
}

/** Nanoseconds since the epoch (as OTLP carries them) to milliseconds, keeping microseconds. */
export function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1000n) / 1000;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

export function kindOf(value: number): SpanKind {
  return (Number.isInteger(value) && value >= 0 && value <= 5 ? value : 0) as SpanKind;
}

export function statusCodeOf(value: number): 0 | 1 | 2 {
  return value === 1 || value === 2 ? value : 0;
}
