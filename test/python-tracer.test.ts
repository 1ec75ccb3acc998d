// The Python template's stdlib tracer (templates/python/tracing.py, used where the OpenTelemetry SDK is
// not installed) sending to mkdev's trace receiver: its OTLP/JSON is taken, and the spans of one request
// through the service and RabbitMQ's headers form one trace with the parents they should have.

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createReceiverServer } from '../stacks/traces/server.ts';
import { TraceStore } from '../stacks/traces/trace-store.ts';

const store = new TraceStore({ maxTraces: 100, maxBytes: 1 << 20, maxSpansPerTrace: 100 });
const server = createReceiverServer({ store, maxBodyBytes: 1 << 20, maxInflight: 4, log: () => {} });
let endpoint: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const SCRIPT = `
import sys
from tracing import create_tracer
tracer = create_tracer({"OTEL_EXPORTER_OTLP_ENDPOINT": sys.argv[1], "OTEL_SERVICE_NAME": "billing"}, print)
headers = {}
with tracer.server_span("POST", "/verifications", {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}) as span:
    with tracer.producer_span("billing-verifications", headers):
        pass
    tracer.http_status(span, 202)
with tracer.consumer_span("billing-verifications", headers):
    print("trace_id=" + tracer.trace_id())
tracer.flush(5)
`;

it('sends OTLP/JSON the receiver takes: one trace, server -> publish -> process', async () => {
  const run = await execa('python3', ['-c', SCRIPT, endpoint], {
    cwd: join(import.meta.dirname, '..', 'templates', 'python'),
    reject: false,
    all: true,
  });
  expect(run.exitCode, run.all).toBe(0);
  expect(run.stdout).toContain('trace_id=0af7651916cd43dd8448eb211c80319c');
  expect(run.stdout).toMatch(/minimal tracer|OpenTelemetry SDK/);
  const trace = store.get('0af7651916cd43dd8448eb211c80319c');
  expect(trace?.summary).toMatchObject({ services: ['billing'], status: 202, spanCount: 3, error: false });
  const [serverSpan, publish, consume] = trace?.spans ?? [];
  expect(serverSpan).toMatchObject({ kind: 2, parentSpanId: 'b7ad6b7169203331', name: 'POST' });
  expect(publish).toMatchObject({ kind: 4, parentSpanId: serverSpan?.spanId });
  expect(consume).toMatchObject({ kind: 5, parentSpanId: publish?.spanId });
  expect(store.stats().rejectedSpans).toBe(0);
});
