import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { flushTraces, traceSuffix } from '../src/telemetry.ts';

describe('telemetry', () => {
  const exporter = new InMemorySpanExporter();
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it("names the active span's trace in log lines, and nothing outside a span", async () => {
    expect(traceSuffix()).toBe('');
    const tracer = trace.getTracer('test');
    const id = await tracer.startActiveSpan('request', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(traceSuffix()).toBe(` trace_id=${span.spanContext().traceId}`);
      span.end();
      return span.spanContext().traceId;
    });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    await flushTraces();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['request']);
  });
});
