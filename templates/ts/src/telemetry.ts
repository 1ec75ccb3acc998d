// What the service's own code needs of tracing, through the OpenTelemetry API alone: the active trace's
// id for log lines (so a log line can be found from its trace, and the other way round), and a flush
// before exiting. Both do nothing when tracing is off (no SDK registered: src/tracing.ts).
import { type ProxyTracerProvider, trace } from '@opentelemetry/api';

/** ` trace_id=<32 hex>` while a span is active, '' otherwise. */
export function traceSuffix(): string {
  const span = trace.getActiveSpan();
  return span ? ` trace_id=${span.spanContext().traceId}` : '';
}

/** Sends the spans still batched (SIGTERM must not lose the last request's trace). */
export async function flushTraces(): Promise<void> {
  const delegate = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() as
    | { forceFlush?: () => Promise<void> }
    | undefined;
  await delegate?.forceFlush?.();
}
