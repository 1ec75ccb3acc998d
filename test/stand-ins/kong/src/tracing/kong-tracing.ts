// The node's tracing: kong.conf's tracing_instrumentations and tracing_sampling_rate
// (kong/templates/kong_defaults.lua: off and 0.01; kong/conf_loader/parse.lua checks them), the global
// tracer instrumentation.init makes when tracing is on, the DNS query wrapper (globalpatches.lua wraps
// the DNS client's toip), and the scope that lets that wrapper find the request a query belongs to.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Resolved } from '../dns-resolver.ts';
import {
  type Instrumentation,
  type PluginEntity,
  type RequestStart,
  RequestTrace,
  type TracingNode,
} from './request-trace.ts';
import { SPAN_KIND, Tracer } from './span.ts';

/** instrumentation.available_types, plus the values conf_loader also takes. */
const TYPES: readonly Instrumentation[] = [
  'db_query',
  'router',
  'http_client',
  'balancer',
  'plugin_rewrite',
  'plugin_access',
  'plugin_header_filter',
  'dns_query',
];

/** conf_loader/parse.lua: unknown types, `off` with others, a rate outside 0..1. */
export function tracingConfigErrors(raw: Record<string, string>): string[] {
  const types = (raw.tracing_instrumentations ?? 'off')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const errors: string[] = [];
  for (const t of types)
    if (!['all', 'off', 'request', ...TYPES].includes(t)) errors.push(`invalid tracing type: ${t}`);
  if (types.length > 1 && types.includes('off'))
    errors.push('invalid tracing types: off, other types are mutually exclusive');
  const rate = Number(raw.tracing_sampling_rate ?? '0.01');
  if (Number.isNaN(rate))
    errors.push(`tracing_sampling_rate is not a number: '${raw.tracing_sampling_rate}'`);
  else if (rate < 0 || rate > 1) errors.push('tracing_sampling_rate must be between 0 and 1');
  return errors;
}

interface Scope {
  trace?: RequestTrace;
}

const scope = new AsyncLocalStorage<Scope>();

/** Runs a request's handling in its own scope, so the DNS wrapper can find its trace. */
export function inRequestScope<T>(fn: () => T): T {
  return scope.run({}, fn);
}

export class KongTracing implements TracingNode {
  readonly tracer: Tracer | undefined;
  readonly otelTracer: Tracer;
  readonly samplingRate: number;
  readonly nodeId: string;
  readonly #types: ReadonlySet<string>;

  constructor(raw: Record<string, string>, nodeId: string) {
    const types = (raw.tracing_instrumentations ?? 'off').split(',').map((s) => s.trim());
    this.#types = new Set(types[0] === 'all' ? TYPES : types);
    this.samplingRate = Number(raw.tracing_sampling_rate ?? '0.01');
    this.nodeId = nodeId;
    const request = () => scope.getStore()?.trace;
    // instrumentation.init: the global tracer `instrument`, sampling at tracing_sampling_rate.
    this.tracer = types[0] === 'off' ? undefined : new Tracer('instrument', this.samplingRate, request);
    // kong.tracing.new("otel"): no sampling_rate given, so 1.0.
    this.otelTracer = new Tracer('otel', 1, request);
  }

  instrumented(kind: Instrumentation): boolean {
    return this.tracer !== undefined && this.#types.has(kind);
  }

  /**
   * A request starts (rewrite phase): its trace when tracing is on or an opentelemetry plugin is
   * enabled globally (the plugin propagates even with tracing off); otherwise nothing is done.
   */
  begin(
    plugins: readonly Record<string, unknown>[],
    req: IncomingMessage,
    res: ServerResponse,
    start: RequestStart,
  ): RequestTrace | undefined {
    const otel: PluginEntity[] = plugins
      .filter((p) => p.name === 'opentelemetry' && !p.service && !p.route && !p.consumer)
      .map((p) => ({ id: String(p.id), config: (p.config ?? {}) as Record<string, unknown> }));
    if (!this.tracer && otel.length === 0) return undefined;
    const slot = scope.getStore();
    if (!slot) return undefined;
    const trace = new RequestTrace(this, otel, res);
    slot.trace = trace;
    trace.rewrite(req, start);
    return trace;
  }

  /**
   * globalpatches.lua: toip wrapped, a `kong.dns` span (CLIENT) around each query made in the access
   * phase. A retry's cache-only lookup runs in the balancer phase, so it has none.
   */
  wrapResolver(resolver: {
    resolve(name: string, port: number, cacheOnly?: boolean, depth?: number): Promise<Resolved>;
  }): void {
    const original = resolver.resolve.bind(resolver);
    const tracer = this.tracer;
    resolver.resolve = async (name: string, port: number, cacheOnly = false, depth = 0) => {
      const trace = scope.getStore()?.trace;
      if (!tracer || cacheOnly || depth > 0 || !trace?.wantsDnsSpan)
        return original(name, port, cacheOnly, depth);
      const span = tracer.startSpan('kong.dns', { kind: SPAN_KIND.CLIENT });
      if (span) tracer.setActive(span);
      try {
        const resolved = await original(name, port, cacheOnly, depth);
        span?.setAttribute('dns.record.domain', name);
        span?.setAttribute('dns.record.port', port);
        span?.setAttribute('dns.record.ip', resolved.address);
        span?.finish();
        return resolved;
      } catch (e) {
        span?.setAttribute('dns.record.domain', name);
        span?.setAttribute('dns.record.port', port);
        span?.recordError((e as Error).message);
        span?.setStatus(2);
        span?.finish();
        throw e;
      }
    };
  }
}
