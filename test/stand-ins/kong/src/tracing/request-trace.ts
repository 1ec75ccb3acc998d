// One proxied request's tracing, phase by phase, as Kong 3.9.1 does it with tracing_instrumentations
// on (kong/observability/tracing/instrumentation.lua, called from kong/runloop/handler.lua and
// kong/init.lua) and the opentelemetry plugin enabled globally (kong/plugins/opentelemetry/traces.lua):
//   rewrite      `kong` root span (SERVER) from the request's start, with its HTTP attributes
//   access       `kong.router` around the match (status ERROR when nothing matches); the balancer span
//                created (not yet listed) so its id can be propagated; the plugin's access handler in
//                `kong.access.plugin.opentelemetry`: extract, sample, inject traceparent upstream
//   balancer     `kong.dns` around the first try's name resolution (not for an upstream's ring)
//   header_filter  the root gets http.status_code and http.route; `kong.header_filter.plugin.opentelemetry`
//   log          one `kong.balancer` span per try (CLIENT; failed tries ERROR), the last one being the
//                span whose id went upstream; the root ends; the plugin queues every sampled span
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KONG_VERSION } from '../version.ts';
import { type ExportConf, exportRequest } from './exporter.ts';
import { encodeSpan, encodeTraces, resourceAttributes } from './otlp.ts';
import { clear, type Extracted, extract, inject, pluginParams } from './propagation.ts';
import { enqueue, type QueueConf } from './queue.ts';
import { SPAN_KIND, type Span, type SpanSlot, type Tracer, timeNs } from './span.ts';

export type Instrumentation =
  | 'db_query'
  | 'router'
  | 'http_client'
  | 'balancer'
  | 'plugin_rewrite'
  | 'plugin_access'
  | 'plugin_header_filter'
  | 'dns_query';

export interface PluginEntity {
  readonly id: string;
  readonly config: Record<string, unknown>;
}

/** What a request trace needs from the node: its tracers, instrumentations, plugins, identity. */
export interface TracingNode {
  /** The global tracer (`instrument`), when tracing_instrumentations is not off. */
  readonly tracer: Tracer | undefined;
  /** `kong.tracing.new("otel")`: the plugin's tracer for propagation while tracing is off. */
  readonly otelTracer: Tracer;
  readonly samplingRate: number;
  readonly nodeId: string;
  instrumented(kind: Instrumentation): boolean;
}

interface Try {
  readonly startNs: bigint;
  readonly ip: string;
  readonly port: number;
  readonly hostname: string;
  endNs?: bigint;
  failure?: number;
  state?: 'failed';
  code?: number;
}

/** The Kong-side facts the proxy has when it starts a request. */
export interface RequestStart {
  readonly startedMs: number;
  readonly requestId: string;
}

const plain = (ip: string) => ip.replace(/^::ffff:/, '');

export class RequestTrace implements SpanSlot {
  readonly spans: Span[] = [];
  active: Span | undefined;
  tracingPhase = true;
  readonly #node: TracingNode;
  readonly #plugins: readonly PluginEntity[];
  readonly #res: ServerResponse;
  #phase: 'rewrite' | 'access' | 'balancer' | 'header_filter' | 'log' = 'rewrite';
  /** tracing_context: the raw trace id (the root's, or the extracted one). */
  #rawTraceId: Buffer | undefined;
  #unlinkedBalancer: Span | undefined;
  #routerSpan: Span | undefined;
  #route: Record<string, unknown> | null = null;
  #ring = false;
  #retries = 5;
  readonly #tries: Try[] = [];
  #bodyEndedNs: bigint | undefined;
  /** kong.ctx.plugin per plugin: should_sample, extracted_from. */
  readonly #pluginCtx = new Map<string, { shouldSample?: boolean; extractedFrom?: string }>();

  constructor(node: TracingNode, plugins: readonly PluginEntity[], res: ServerResponse) {
    this.#node = node;
    this.#plugins = plugins;
    this.#res = res;
    const writeHead = res.writeHead;
    let filtered = false;
    res.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
      if (!filtered) {
        filtered = true;
        this.#headerFilter(args[0]);
      }
      return writeHead.apply(res, args);
    }) as ServerResponse['writeHead'];
    res.once('finish', () => {
      this.#bodyEndedNs = timeNs();
    });
    res.once('close', () => this.#log());
  }

  get #tracer(): Tracer | undefined {
    return this.#node.tracer;
  }

  /** The proxy is in the balancer: spans may not start (VALID_TRACING_PHASES), and no more DNS spans. */
  get wantsDnsSpan(): boolean {
    return this.#phase === 'access' && !this.#ring && this.#node.instrumented('dns_query');
  }

  /** instrumentation.request (rewrite phase), once the trace is the request's (its spans need the slot). */
  rewrite(req: IncomingMessage, start: RequestStart): void {
    const tracer = this.#tracer;
    if (!tracer) return;
    const host = String(req.headers.host ?? '')
      .replace(/:\d+$/, '')
      .toLowerCase();
    const remote = plain(req.socket.remoteAddress ?? '');
    const root = tracer.startSpan('kong', {
      kind: SPAN_KIND.SERVER,
      startNs: BigInt(Math.round(start.startedMs * 1e6)),
      attributes: {
        'http.method': req.method ?? 'GET',
        'http.url': `http://${host}${req.url ?? '/'}`,
        'http.host': host,
        'http.scheme': 'http',
        'http.flavor': req.httpVersion,
        'http.client_ip': remote,
        'net.peer.ip': remote,
        'kong.request.id': start.requestId,
      },
    });
    this.#rawTraceId = root?.traceId;
    if (root) tracer.setActive(root);
  }

  /** handler.lua access.before: the router span, and the balancer span created in advance. */
  routerStart(): void {
    this.#phase = 'access';
    const tracer = this.#tracer;
    if (!tracer) return;
    if (this.#node.instrumented('router')) {
      this.#routerSpan = tracer.startSpan('kong.router');
      if (this.#routerSpan) tracer.setActive(this.#routerSpan);
    }
    if (this.#node.instrumented('balancer'))
      this.#unlinkedBalancer = tracer.createSpan({ kind: SPAN_KIND.CLIENT, parent: this.spans[0] });
  }

  /** The match: the router span ends (ERROR when no route matched). */
  routed(route: Record<string, unknown> | null, service: Record<string, unknown> | null): void {
    if (route === null) this.#routerSpan?.setStatus(2);
    this.#routerSpan?.finish();
    this.#route = route;
    if (service) this.#retries = Number(service.retries ?? 5);
  }

  /** The access phase's plugins (the opentelemetry plugin's access handler); `ring`: the service's host is an upstream. */
  access(headers: IncomingMessage['headers'], ring: boolean): void {
    this.#ring = ring;
    const tracer = this.#tracer;
    for (const plugin of this.#plugins) {
      const span = this.#node.instrumented('plugin_access')
        ? tracer?.startSpan('kong.access.plugin.opentelemetry')
        : undefined;
      if (span) tracer?.setActive(span);
      if (plugin.config.traces_endpoint) this.#propagate(plugin, headers);
      span?.finish();
    }
  }

  /** traces.lua access -> propagation.propagate with get_inject_ctx. */
  #propagate(plugin: PluginEntity, headers: IncomingMessage['headers']): void {
    const ctx = this.#ctxOf(plugin);
    const params = pluginParams(plugin.config);
    const found = extract(params, headers);
    ctx.extractedFrom = found.from;
    const extracted: Extracted = found.ctx;
    const tracer = this.#tracer ?? this.#node.otelTracer;
    let root = this.spans[0];
    if (!root) {
      // Tracing is off: a root only to propagate, never sampled.
      root = tracer.startSpan('root');
      root?.setAttribute('kong.propagation_only', true);
      ctx.shouldSample = false;
    }
    if (!root) return;
    const injected = this.#unlinkedBalancer ?? root;
    if (extracted.traceId) {
      injected.traceId = extracted.traceId;
      this.#rawTraceId = extracted.traceId;
    }
    if (extracted.spanId) root.parentId = extracted.spanId;
    else if (extracted.parentId) root.parentId = extracted.parentId;
    const sampled =
      ctx.shouldSample === false
        ? false
        : this.#samplingDecision(
            tracer,
            extracted.shouldSample,
            plugin.config.sampling_rate as number | null,
          );
    tracer.setShouldSample(sampled);
    injected.shouldSample = sampled;
    clear(params, headers);
    inject(
      params,
      ctx.extractedFrom,
      {
        traceId: injected.traceId,
        spanId: injected.spanId,
        parentId: injected.parentId,
        shouldSample: sampled,
      },
      headers,
    );
  }

  /** tracer:get_sampling_decision (kong/pdk/tracing.lua). */
  #samplingDecision(tracer: Tracer, parentSampled: boolean | undefined, pluginRate: number | null): boolean {
    const root = this.spans[0];
    const rate = pluginRate ?? this.#node.samplingRate;
    if (!root || root.attributes?.['kong.propagation_only']) return false;
    if (parentSampled === false || !this.#rawTraceId) return !!parentSampled;
    return tracer.sample(this.#rawTraceId, rate);
  }

  #ctxOf(plugin: PluginEntity) {
    let ctx = this.#pluginCtx.get(plugin.id);
    if (!ctx) {
      ctx = {};
      this.#pluginCtx.set(plugin.id, ctx);
    }
    return ctx;
  }

  /** Kong.balancer: a try starts; the previous try's failure is recorded (get_last_failure). */
  balancerTry(peer: { address: string; port: number; hostname: string; hostHeader: string | null }): void {
    this.#phase = 'balancer';
    this.tracingPhase = false;
    const previous = this.#tries.at(-1);
    if (previous?.failure !== undefined) {
      previous.state = 'failed';
      previous.code = previous.failure;
    }
    this.#tries.push({
      startNs: timeNs(),
      ip: peer.address,
      port: peer.port,
      hostname: peer.hostHeader ?? peer.hostname,
    });
  }

  /** A try that could not reach its peer: 504 for a timeout, 502 otherwise (ngx.balancer's last failure). */
  balancerTryFailed(error: Error): void {
    const last = this.#tries.at(-1);
    if (!last) return;
    last.endNs = timeNs();
    last.failure = /timeout/i.test(error.message) ? 504 : 502;
  }

  /** handler.lua header_filter.before + the plugins' header_filter. */
  #headerFilter(status: number): void {
    this.#phase = 'header_filter';
    this.tracingPhase = true;
    const last = this.#tries.at(-1);
    if (last && status > 499 && this.#tries.length > this.#retries) {
      last.state = 'failed';
      last.code = status;
    }
    const root = this.spans[0];
    root?.setAttribute('http.status_code', status);
    const paths = this.#route?.paths as string[] | null | undefined;
    root?.setAttribute('http.route', paths?.[0] ?? '');
    const tracer = this.#tracer;
    for (const plugin of this.#plugins) {
      const span = this.#node.instrumented('plugin_header_filter')
        ? tracer?.startSpan('kong.header_filter.plugin.opentelemetry')
        : undefined;
      if (span) tracer?.setActive(span);
      const header = plugin.config.http_response_header_for_traceid as string | null | undefined;
      const traceId = this.#rawTraceId ?? root?.traceId;
      if (plugin.config.traces_endpoint && header && traceId)
        this.#res.setHeader(header, traceId.toString('hex'));
      span?.finish();
    }
  }

  /** The log phase: runloop_log_before (balancer spans, the root ends), then the plugin's log. */
  #log(): void {
    this.#phase = 'log';
    this.tracingPhase = true;
    const ended = this.#bodyEndedNs ?? timeNs();
    const tracer = this.#tracer;
    if (tracer && this.#node.instrumented('balancer')) this.#balancerSpans(tracer, ended);
    this.active?.finish(ended);
    for (const plugin of this.#plugins) if (plugin.config.traces_endpoint) this.#export(plugin);
  }

  /** instrumentation.balancer: a span per try; the last one, when it did not fail, is the propagated one. */
  #balancerSpans(tracer: Tracer, ended: bigint): void {
    const lastTry =
      this.#unlinkedBalancer && !this.#unlinkedBalancer.linked ? this.#unlinkedBalancer : undefined;
    this.#tries.forEach((t, index) => {
      const i = index + 1;
      const options = {
        kind: SPAN_KIND.CLIENT,
        startNs: t.startNs,
        attributes: { try_count: i, 'net.peer.ip': t.ip, 'net.peer.port': t.port },
      };
      if (i < this.#tries.length || t.state !== undefined || !lastTry) {
        const span = tracer.startSpan('kong.balancer', options);
        if (t.state) {
          span?.setAttribute('http.status_code', t.code ?? 502);
          span?.setStatus(2);
        }
        span?.setAttribute('net.peer.name', t.hostname);
        span?.finish(t.endNs ?? timeNs());
      } else {
        tracer.setActive(lastTry);
        tracer.linkSpan(lastTry, 'kong.balancer', options);
        lastTry.setAttribute('net.peer.name', t.hostname);
        lastTry.finish(ended);
      }
    });
  }

  /** traces.lua log: every sampled span of the global tracer, encoded and queued. */
  #export(plugin: PluginEntity): void {
    const tracer = this.#tracer;
    if (!tracer) return;
    const ctx = this.#ctxOf(plugin);
    const queueConf = queueParams(plugin);
    const handler = exportBatch(plugin, this.#node.nodeId);
    for (const span of this.spans) {
      if (span.tracer !== tracer) continue;
      if (span.shouldSample === false || ctx.shouldSample === false) continue;
      enqueue(queueConf, handler, encodeSpan(span, this.#rawTraceId ?? span.traceId));
    }
  }
}

/** Queue.get_plugin_params("opentelemetry", conf), named `<queue name or plugin id>:traces`. */
function queueParams(plugin: PluginEntity): QueueConf {
  const q = (plugin.config.queue ?? {}) as Record<string, number | string | null>;
  const c = plugin.config;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  let maxBatchSize = num(q.max_batch_size, 200);
  let maxCoalescingDelay = num(q.max_coalescing_delay, 1);
  if (typeof c.batch_span_count === 'number' && c.batch_span_count !== 200) maxBatchSize = c.batch_span_count;
  if (typeof c.batch_flush_delay === 'number' && c.batch_flush_delay !== 3)
    maxCoalescingDelay = c.batch_flush_delay;
  return {
    name: `${typeof q.name === 'string' ? q.name : plugin.id}:traces`,
    logTag: `opentelemetry plugin ${plugin.id}`,
    maxBatchSize,
    maxCoalescingDelay,
    maxEntries: num(q.max_entries, 10000),
    maxRetryTime: num(q.max_retry_time, 60),
    initialRetryDelay: num(q.initial_retry_delay, 0.01),
    maxRetryDelay: num(q.max_retry_delay, 60),
  };
}

/** http_export_traces for this plugin's configuration (the queue keeps the latest handler). */
function exportBatch(plugin: PluginEntity, nodeId: string) {
  const c = plugin.config;
  const conf: ExportConf = {
    endpoint: String(c.traces_endpoint),
    headers: (c.headers as Record<string, string> | null) ?? null,
    connectTimeout: Number(c.connect_timeout ?? 1000),
    sendTimeout: Number(c.send_timeout ?? 5000),
    readTimeout: Number(c.read_timeout ?? 5000),
  };
  const resource = resourceAttributes(
    nodeId,
    KONG_VERSION,
    c.resource_attributes as Record<string, string> | null,
  );
  return (spans: Buffer[]) => exportRequest(conf, encodeTraces(spans, resource));
}
