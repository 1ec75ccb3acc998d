// Package tracing is a small OpenTelemetry-compatible tracer on the standard library alone: W3C
// trace context in and out (the traceparent header, and tracestate carried through), spans kept in a
// context.Context, and an exporter that sends them batched as OTLP/JSON over HTTP to
// OTEL_EXPORTER_OTLP_ENDPOINT (/v1/traces), named OTEL_SERVICE_NAME.
//
// It gives this service the spans mkdev's TypeScript and Python templates make, with the same names,
// kinds and attributes, so the three languages' traces look the same in `mkdev traces` and the
// dashboard:
//
//   - a server span per HTTP request ("GET", "POST", ...), continuing the caller's traceparent (Kong's
//     opentelemetry plugin sends one whose parent is its kong.balancer span): Middleware;
//   - a client span per outgoing HTTP request, with a traceparent sent on: Transport;
//   - a producer span per publish to RabbitMQ ("publish <exchange>", "<default>" for the default
//     exchange) with its context in the message's headers, and a consumer span per delivery
//     ("<queue> process") under it: StartPublish and StartProcess;
//   - the active trace's id on log lines: LogHandler.
//
// Why not the official SDK (go.opentelemetry.io/otel): it is a dozen modules, and the offline Go image
// mkdev builds with has only amqp091-go in its module cache. A service built where the module proxy
// answers can swap this package for the SDK; the template's README says how. Spans are exported as
// OTLP/JSON, which every OTLP/HTTP receiver (mkdev's, Jaeger, the Collector) takes.
//
// A nil *Tracer is tracing off (no endpoint set): every method is a no-op and costs nothing.
package tracing
