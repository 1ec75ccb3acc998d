// The stack's trace receiver (stacks/traces), as mkdev's CLI and dashboard read it: its query API
// (GET /api/traces, /api/traces/<id>, /api/stats). The shapes below are that API's answers (the
// receiver's span.ts and trace-store.ts define them; it runs as separate files in a container, so
// they are written out here). A `traces` service given another image (Jaeger, a collector) still
// takes OTLP but has no such API: the error says so.
import { httpRequest } from '../http-request.ts';

export interface TraceSummary {
  readonly traceId: string;
  readonly seq: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly name: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly services: readonly string[];
  readonly spanCount: number;
  readonly error: boolean;
  readonly receivedAt: number;
}

export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly { name: string; timeMs: number; attributes: Record<string, AttributeValue> }[];
  readonly status: { readonly code: 0 | 1 | 2; readonly message: string };
  readonly service: string;
}

export interface TraceDetail {
  readonly summary: TraceSummary;
  readonly spans: readonly TraceSpan[];
}

export interface TraceQuery {
  readonly service?: string;
  readonly route?: string;
  readonly status?: string;
  readonly errors?: boolean;
  readonly minDurationMs?: number;
  readonly updatedAfter?: number;
  readonly limit?: number;
}

export class TraceReceiverError extends Error {
  override name = 'TraceReceiverError';
}

async function get<T>(url: string, signal?: AbortSignal): Promise<{ status: number; value: T }> {
  let answer: Awaited<ReturnType<typeof httpRequest>>;
  try {
    answer = await httpRequest(url, { timeoutMs: 5000, ...(signal ? { signal } : {}) });
  } catch (error) {
    throw new TraceReceiverError(
      `the trace receiver at ${new URL(url).origin} does not answer: ${(error as Error).message}`,
    );
  }
  try {
    return { status: answer.status, value: JSON.parse(answer.body) as T };
  } catch {
    throw new TraceReceiverError(
      `${new URL(url).origin} answered ${answer.status} without JSON: is the traces service another image (Jaeger, a collector)? mkdev reads its own receiver's query API`,
    );
  }
}

export async function listTraces(
  baseUrl: string,
  query: TraceQuery,
  signal?: AbortSignal,
): Promise<{ traces: TraceSummary[]; seq: number }> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== false) params.set(key, String(value));
  const { status, value } = await get<{ traces: TraceSummary[]; seq: number; error?: string }>(
    `${baseUrl}/api/traces?${params}`,
    signal,
  );
  if (status !== 200 || !Array.isArray(value.traces))
    throw new TraceReceiverError(`the trace receiver refused the query: ${value.error ?? `HTTP ${status}`}`);
  return value;
}

/** One trace, or undefined when the receiver does not have it (not yet, or no longer). */
export async function getTrace(
  baseUrl: string,
  traceId: string,
  signal?: AbortSignal,
): Promise<TraceDetail | undefined> {
  const { status, value } = await get<TraceDetail & { error?: string }>(
    `${baseUrl}/api/traces/${encodeURIComponent(traceId)}`,
    signal,
  );
  if (status === 404) return undefined;
  if (status !== 200)
    throw new TraceReceiverError(`the trace receiver answered ${status}: ${value.error ?? ''}`);
  return value;
}

/** A fresh W3C traceparent (sampled): a request sent with it is traced under this trace id. */
export function newTraceparent(): { traceId: string; traceparent: string } {
  const bytes = (n: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');
  const traceId = bytes(16);
  return { traceId, traceparent: `00-${traceId}-${bytes(8)}-01` };
}
