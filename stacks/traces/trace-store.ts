// The receiver's memory: the most recent traces, within a bound on their number and on their bytes
// (each span counted at its size on the wire). When a new span would pass either bound, the oldest
// traces (by when their first span arrived) are dropped first; the store counts what it dropped and
// the receiver says so in its log. One trace keeps at most maxSpansPerTrace spans, so no single trace
// can push every other one out.
import type { AttributeValue, Span } from './span.ts';

export interface StoreLimits {
  readonly maxTraces: number;
  readonly maxBytes: number;
  readonly maxSpansPerTrace: number;
}

export interface TraceSummary {
  readonly traceId: string;
  /** Increases whenever the trace gets spans: what `updatedAfter` compares. */
  readonly seq: number;
  readonly startMs: number;
  readonly durationMs: number;
  /** The root span's name (the earliest span whose parent is not in the trace). */
  readonly name: string;
  readonly method: string;
  /** The route as the gateway matched it (http.route), else the request's path. */
  readonly route: string;
  /** The root span's HTTP status, 0 when it has none. */
  readonly status: number;
  /** Services in the order their first span started. */
  readonly services: readonly string[];
  readonly spanCount: number;
  /** Some span has status ERROR, or the root answered 5xx. */
  readonly error: boolean;
  /** ms since the epoch the receiver last got a span of it. */
  readonly receivedAt: number;
}

export interface StoreStats {
  readonly traces: number;
  readonly spans: number;
  readonly bytes: number;
  readonly limits: StoreLimits;
  readonly droppedTraces: number;
  readonly droppedSpans: number;
  readonly receivedSpans: number;
  readonly rejectedSpans: number;
  readonly seq: number;
}

export interface TraceQuery {
  readonly service?: string;
  /** A route or path prefix: '/orders' matches '/orders' and '/orders/verifications'. */
  readonly route?: string;
  /** An HTTP status ('503') or class ('5xx'). */
  readonly status?: string;
  readonly minDurationMs?: number;
  readonly errors?: boolean;
  /** Only traces that got spans after this seq (what --follow polls with). */
  readonly updatedAfter?: number;
  readonly limit?: number;
}

interface Entry {
  readonly traceId: string;
  readonly spans: Span[];
  bytes: number;
  seq: number;
  receivedAt: number;
  summary?: TraceSummary;
}

export type DropListener = (dropped: { traces: number; spans: number }) => void;

export class TraceStore {
  readonly limits: StoreLimits;
  /** Insertion order is arrival order of each trace's first span: the first entry is the oldest. */
  readonly #traces = new Map<string, Entry>();
  #bytes = 0;
  #spans = 0;
  #seq = 0;
  #droppedTraces = 0;
  #droppedSpans = 0;
  #received = 0;
  #rejected = 0;
  readonly #onDrop: DropListener;

  constructor(limits: StoreLimits, onDrop: DropListener = () => {}) {
    this.limits = limits;
    this.#onDrop = onDrop;
  }

  /** Adds decoded spans (sizes[i] is span i's size on the wire); returns how many it kept. */
  add(spans: readonly Span[], sizes: readonly number[], rejected = 0, now = Date.now()): number {
    this.#rejected += rejected;
    this.#received += spans.length;
    const seq = ++this.#seq;
    let kept = 0;
    let dropped = { traces: 0, spans: 0 };
    spans.forEach((span, i) => {
      const size = Math.max(1, sizes[i] ?? 0);
      let entry = this.#traces.get(span.traceId);
      if (entry !== undefined && entry.spans.length >= this.limits.maxSpansPerTrace) {
        this.#droppedSpans++;
        dropped.spans++;
        return;
      }
      if (entry === undefined) {
        entry = { traceId: span.traceId, spans: [], bytes: 0, seq, receivedAt: now };
        this.#traces.set(span.traceId, entry);
      }
      entry.spans.push(span);
      entry.bytes += size;
      entry.seq = seq;
      entry.receivedAt = now;
      entry.summary = undefined;
      this.#bytes += size;
      this.#spans++;
      kept++;
      dropped = this.#evict(entry, dropped);
    });
    if (dropped.traces > 0 || dropped.spans > 0) this.#onDrop(dropped);
    return kept;
  }

  /** Drops the oldest traces (never `current`) until both bounds hold. */
  #evict(current: Entry, dropped: { traces: number; spans: number }) {
    const out = { ...dropped };
    for (const [id, entry] of this.#traces) {
      if (this.#traces.size <= this.limits.maxTraces && this.#bytes <= this.limits.maxBytes) break;
      if (entry === current) continue;
      this.#traces.delete(id);
      this.#bytes -= entry.bytes;
      this.#spans -= entry.spans.length;
      this.#droppedTraces++;
      this.#droppedSpans += entry.spans.length;
      out.traces++;
      out.spans += entry.spans.length;
    }
    return out;
  }

  get(traceId: string): { summary: TraceSummary; spans: readonly Span[] } | undefined {
    const entry = this.#traces.get(traceId.toLowerCase());
    if (entry === undefined) return undefined;
    const spans = [...entry.spans].sort((a, b) => a.startMs - b.startMs);
    return { summary: this.#summary(entry), spans };
  }

  /** Matching traces, newest first. */
  query(q: TraceQuery): TraceSummary[] {
    const out: TraceSummary[] = [];
    const limit = q.limit ?? 100;
    const entries = [...this.#traces.values()].sort((a, b) => b.seq - a.seq);
    for (const entry of entries) {
      if (q.updatedAfter !== undefined && entry.seq <= q.updatedAfter) break;
      const summary = this.#summary(entry);
      if (matches(summary, q)) out.push(summary);
      if (out.length >= limit) break;
    }
    return out.sort((a, b) => b.startMs - a.startMs);
  }

  stats(): StoreStats {
    return {
      traces: this.#traces.size,
      spans: this.#spans,
      bytes: this.#bytes,
      limits: this.limits,
      droppedTraces: this.#droppedTraces,
      droppedSpans: this.#droppedSpans,
      receivedSpans: this.#received,
      rejectedSpans: this.#rejected,
      seq: this.#seq,
    };
  }

  #summary(entry: Entry): TraceSummary {
    if (entry.summary) return entry.summary;
    entry.summary = summarize(entry);
    return entry.summary;
  }
}

function attr(span: Span | undefined, ...keys: string[]): AttributeValue | undefined {
  for (const key of keys) {
    const v = span?.attributes[key];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function pathOf(span: Span | undefined): string | undefined {
  const path = attr(span, 'url.path', 'http.target');
  if (typeof path === 'string') return path.split('?')[0];
  const url = attr(span, 'http.url', 'url.full');
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

function summarize(entry: Entry): TraceSummary {
  const spans = entry.spans;
  const ids = new Set(spans.map((s) => s.spanId));
  const byStart = [...spans].sort((a, b) => a.startMs - b.startMs);
  const root = byStart.find((s) => s.parentSpanId === '' || !ids.has(s.parentSpanId)) ?? byStart[0];
  const startMs = byStart[0]?.startMs ?? 0;
  const endMs = Math.max(...spans.map((s) => s.endMs));
  // The gateway's route when a span carries one (Kong's root span: http.route), else the root's path.
  const routed = byStart.find((s) => typeof attr(s, 'http.route') === 'string');
  const route = String(attr(routed, 'http.route') ?? pathOf(root) ?? '');
  const status = Number(attr(root, 'http.status_code', 'http.response.status_code') ?? 0) || 0;
  const services: string[] = [];
  for (const s of byStart) if (!services.includes(s.service)) services.push(s.service);
  return {
    traceId: entry.traceId,
    seq: entry.seq,
    startMs,
    durationMs: Math.round((endMs - startMs) * 1000) / 1000,
    name: root?.name ?? '',
    method: String(attr(root, 'http.method', 'http.request.method') ?? ''),
    route,
    status,
    services,
    spanCount: spans.length,
    error: status >= 500 || spans.some((s) => s.status.code === 2),
    receivedAt: entry.receivedAt,
  };
}

function routeMatches(route: string, wanted: string): boolean {
  const w = wanted.replace(/(.)\/+$/, '$1');
  return route === w || route.startsWith(w.endsWith('/') ? w : `${w}/`);
}

function statusMatches(status: number, wanted: string): boolean {
  const w = wanted.toLowerCase();
  if (/^[1-5]xx$/.test(w)) return Math.floor(status / 100) === Number(w[0]);
  return String(status) === w;
}

function matches(s: TraceSummary, q: TraceQuery): boolean {
  if (q.service !== undefined && !s.services.includes(q.service)) return false;
  if (q.route !== undefined && !routeMatches(s.route, q.route)) return false;
  if (q.status !== undefined && !statusMatches(s.status, q.status)) return false;
  if (q.minDurationMs !== undefined && s.durationMs < q.minDurationMs) return false;
  if (q.errors === true && !s.error) return false;
  return true;
}
