// Kong's tracer and spans (kong/pdk/tracing.lua @ 3.9.1): ids of 16 and 8 random bytes, a span's parent
// is the request's active span unless given, its sampling decision is its parent's or the tracer's
// trace-id-based sampler, and every started span goes into the request's span list (KONG_SPANS), which
// the opentelemetry plugin exports in the log phase. Times are nanoseconds since the epoch.
import { randomBytes } from 'node:crypto';

export const SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** A span attribute as Lua holds it: strings, numbers, booleans (tables are not used by the core spans). */
export type AttributeValue = string | number | boolean;

export interface SpanEvent {
  readonly name: string;
  readonly timeNs: bigint;
  readonly attributes?: Record<string, AttributeValue>;
}

// kong.tools.time.time_ns: the wall clock in nanoseconds; hrtime keeps it monotonic within the process.
const ORIGIN_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export const timeNs = (): bigint => ORIGIN_NS + process.hrtime.bigint();

export class Span {
  readonly tracer: Tracer;
  readonly parent: Span | undefined;
  traceId: Buffer;
  readonly spanId: Buffer = randomBytes(8);
  parentId: Buffer | undefined;
  kind: number;
  shouldSample: boolean;
  name = '';
  startNs = 0n;
  endNs: bigint | undefined;
  attributes: Record<string, AttributeValue> | undefined;
  events: SpanEvent[] | undefined;
  status: 0 | 1 | 2 | undefined;
  linked = false;
  active = false;

  constructor(
    tracer: Tracer,
    parent: Span | undefined,
    traceId: Buffer,
    sampled: boolean,
    kind: number,
    parentId?: Buffer,
  ) {
    this.tracer = tracer;
    this.parent = parent;
    this.traceId = traceId;
    this.shouldSample = sampled;
    this.kind = kind;
    this.parentId = parentId;
  }

  /** span:finish: once only; an active span hands the request's active slot back to its parent. */
  finish(endNs?: bigint): void {
    if (this.endNs !== undefined) return;
    this.endNs = endNs ?? timeNs();
    const request = this.tracer.request();
    if (this.active && request?.active === this) {
      request.active = this.parent;
      this.active = false;
    }
  }

  /** span:set_attribute (a nil value removes the key, as assigning nil to a Lua table does). */
  setAttribute(key: string, value: AttributeValue | undefined): void {
    this.attributes ??= {};
    if (value === undefined) delete this.attributes[key];
    else this.attributes[key] = value;
  }

  /** span:record_error: an "exception" event with exception.message. */
  recordError(message: string): void {
    this.events ??= [];
    this.events.push({ name: 'exception', timeNs: timeNs(), attributes: { 'exception.message': message } });
  }

  setStatus(status: 0 | 1 | 2): void {
    this.status = status;
  }
}

/** The per-request state a tracer reads (ngx.ctx in Kong): the span list and the active span. */
export interface SpanSlot {
  readonly spans: Span[];
  active: Span | undefined;
  /** Whether the request is in a phase where spans may start (VALID_TRACING_PHASES: not balancer). */
  tracingPhase: boolean;
}

export interface SpanOptions {
  readonly kind?: number;
  readonly startNs?: bigint;
  readonly attributes?: Record<string, AttributeValue>;
  readonly parent?: Span;
  readonly traceId?: Buffer;
  readonly shouldSample?: boolean;
}

export class Tracer {
  readonly name: string;
  readonly samplingRate: number;
  readonly request: () => SpanSlot | undefined;

  constructor(name: string, samplingRate: number, request: () => SpanSlot | undefined) {
    this.name = name;
    this.samplingRate = samplingRate;
    this.request = request;
  }

  /**
   * The trace-id-based probability sampler: rate >= 1 always, <= 0 never, else the trace id's first 8
   * bytes read as a native (little-endian on x86-64) uint64, below rate x 2^64.
   */
  sample(traceId: Buffer, rate = this.samplingRate): boolean {
    if (rate >= 1) return true;
    if (rate <= 0) return false;
    return traceId.readBigUInt64LE(0) < BigInt(Math.floor(rate * 2 ** 64));
  }

  /** create_span: a span that is not (yet) in the request's list. */
  createSpan(options: SpanOptions = {}): Span {
    const slot = this.request();
    const parent = options.parent ?? slot?.active;
    const traceId = parent?.traceId ?? options.traceId ?? randomBytes(16);
    let sampled: boolean;
    if (parent !== undefined) sampled = parent.shouldSample;
    else if (options.shouldSample !== undefined) sampled = options.shouldSample;
    else sampled = this.sample(traceId);
    return new Span(this, parent, traceId, sampled, options.kind ?? SPAN_KIND.INTERNAL, parent?.spanId);
  }

  /** link_span: names the span, starts it and appends it to the request's list. */
  linkSpan(span: Span, name: string, options: SpanOptions = {}): Span {
    span.startNs = options.startNs ?? timeNs();
    span.attributes = options.attributes ? { ...options.attributes } : undefined;
    span.name = name;
    span.linked = true;
    this.request()?.spans.push(span);
    return span;
  }

  /** start_span: create + link; outside the tracing phases a span that records nothing. */
  startSpan(name: string, options: SpanOptions = {}): Span | undefined {
    if (!this.request()?.tracingPhase) return undefined;
    return this.linkSpan(this.createSpan(options), name, options);
  }

  setActive(span: Span | undefined): void {
    const slot = this.request();
    if (!slot?.tracingPhase) return;
    if (span) span.active = true;
    slot.active = span;
  }

  /** tracer:set_should_sample: every span of the request that records. */
  setShouldSample(sampled: boolean): void {
    for (const span of this.request()?.spans ?? []) span.shouldSample = sampled;
  }
}
