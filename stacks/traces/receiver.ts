// mkdev's trace receiver: a small OTLP/HTTP endpoint (port 4318, POST /v1/traces, protobuf or JSON)
// that keeps the most recent traces in memory, within a bound, and answers the query API mkdev's CLI
// (`mkdev traces`) and dashboard read. Kong's opentelemetry plugin and the scaffolded services send
// their spans here. It speaks standard OTLP, so a project can replace it with Jaeger or an
// OpenTelemetry Collector by giving the `traces` service another image in mkdev.yaml.
//
// It runs inside the stack (the node image, this directory mounted read-only), with no dependencies:
// Node 24 strips these types itself, as it does for the registrator.
//
// Settings (environment): TRACES_PORT (4318), TRACES_MAX_TRACES (2000), TRACES_MAX_BYTES (32 MiB of
// spans as sent), TRACES_MAX_SPANS_PER_TRACE (5000), TRACES_MAX_BODY_BYTES (8 MiB), TRACES_MAX_INFLIGHT (4).
import { createReceiverServer } from './server.ts';
import { TraceStore } from './trace-store.ts';

const log = (message: string) => process.stdout.write(`${new Date().toISOString()} traces: ${message}\n`);

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    log(`${name}=${raw} is not a positive integer: stopping`);
    process.exit(1);
  }
  return n;
}

const MiB = 1024 * 1024;
const port = setting('TRACES_PORT', 4318);
const limits = {
  maxTraces: setting('TRACES_MAX_TRACES', 2000),
  maxBytes: setting('TRACES_MAX_BYTES', 32 * MiB),
  maxSpansPerTrace: setting('TRACES_MAX_SPANS_PER_TRACE', 5000),
};

// Say so when the bound drops traces: at once the first time, then at most every 10 s with the count.
let pending = { traces: 0, spans: 0 };
let lastSaid = 0;
let total = 0;
const store = new TraceStore(limits, (dropped) => {
  pending = { traces: pending.traces + dropped.traces, spans: pending.spans + dropped.spans };
  total += dropped.traces;
  const now = Date.now();
  if (now - lastSaid < 10_000) return;
  lastSaid = now;
  log(
    `bound reached (${limits.maxTraces} traces or ${(limits.maxBytes / MiB).toFixed(0)} MiB): dropped the ${pending.traces} oldest traces (${pending.spans} spans); ${total} dropped since start`,
  );
  pending = { traces: 0, spans: 0 };
});

const server = createReceiverServer({
  store,
  maxBodyBytes: setting('TRACES_MAX_BODY_BYTES', 8 * MiB),
  maxInflight: setting('TRACES_MAX_INFLIGHT', 4),
  log,
});
server.keepAliveTimeout = 65_000;
server.listen(port, '0.0.0.0', () =>
  log(
    `receiving OTLP/HTTP traces on :${port}/v1/traces; keeping at most ${limits.maxTraces} traces and ${(limits.maxBytes / MiB).toFixed(0)} MiB`,
  ),
);

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
