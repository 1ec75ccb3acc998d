// OpenTelemetry tracing, loaded before the service with `node --import ./src/tracing.ts src/main.ts`
// (the Dockerfile's command): instrumentations must hook `node:http` and amqplib before they are
// imported, and in an ES module that takes a loader hook registered first (import-in-the-middle).
//   - HTTP: a server span per request, continuing the caller's W3C traceparent (Kong sends one), and a
//     client span per outgoing request (the registrations on Kong and Consul). Health probes are not traced.
//   - RabbitMQ (amqplib): a producer span per publish, its context carried in the message's headers,
//     and a consumer span per delivery under it: the consumer's work is in the request's trace.
//   - Spans go to OTEL_EXPORTER_OTLP_ENDPOINT over OTLP/HTTP (mkdev.yaml sets it to the stack's trace
//     receiver, `mkdev run` to its published port), named OTEL_SERVICE_NAME.
// The SDK pieces are the trace SDK, not @opentelemetry/sdk-node, which brings gRPC, protobufjs and the
// metrics and logs exporters too (twice the image's node_modules for nothing traced here).
// Startup cost: the SDK is some 500 modules, which Node compiled again at every start (about a second
// of an edit's restart under `mkdev watch`). Node's compile cache keeps their compiled code on disk
// (NODE_COMPILE_CACHE, or node-compile-cache in the OS's temporary directory, which a container keeps
// across restarts), and it only covers modules loaded after it is on: hence the SDK's dynamic imports
// below, after it, rather than static imports (which would load before this line runs). With tracing
// off, the SDK is not loaded at all.
import { enableCompileCache, register } from 'node:module';

enableCompileCache();
const PROBES = /(^|\/)(healthz|readyz)(\?|$)/;
const INSTRUMENTED = ['http', 'https', 'amqplib'];
const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
const serviceName = process.env.OTEL_SERVICE_NAME || process.env.SERVICE_NAME || '__SERVICE_NAME__';

if (!endpoint || process.env.OTEL_SDK_DISABLED === 'true') {
  console.log(`[${serviceName}] tracing off: OTEL_EXPORTER_OTLP_ENDPOINT is not set`);
} else {
  const [
    { context, propagation, trace },
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { OTLPTraceExporter },
    { registerInstrumentations },
    { AmqplibInstrumentation },
    { HttpInstrumentation },
    { resourceFromAttributes },
    { AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-amqplib'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace'),
  ]);
  // Only the modules instrumented are wrapped: the service's own files load (and fail) as Node has them.
  // In the loading thread (module.registerHooks) where this Node supports it: module.register's hooks
  // run on a thread of their own, some 50-70 ms of CPU to start and a round trip to it per import.
  const hooks = await import('import-in-the-middle/register-hooks.mjs');
  if (hooks.supportsSyncHooks()) hooks.register({ include: INSTRUMENTED });
  else
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: INSTRUMENTED } });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    // Follow the caller's decision (Kong samples every request in the mkdev stack); sample our own roots.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        // The SDK's default waits 5 s; a development stack wants the trace on screen at once.
        scheduledDelayMillis: Number(process.env.OTEL_BSP_SCHEDULE_DELAY || 200),
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => PROBES.test(req.url ?? '') }),
      new AmqplibInstrumentation(),
    ],
  });
  console.log(`[${serviceName}] tracing to ${endpoint} (OTLP/HTTP)`);
}
