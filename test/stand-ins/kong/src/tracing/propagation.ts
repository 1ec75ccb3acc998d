// Header propagation as the opentelemetry plugin does it (kong/observability/tracing/propagation/ @ 3.9.1):
// the plugin's propagation settings (get_plugin_params: the deprecated header_type, default "preserve",
// still decides extract/inject while no propagation field but default_format is set), extraction by the
// first extractor that finds a context, clearing, then injection. Only the W3C format is implemented
// (extractors/w3c.lua, injectors/w3c.lua); other formats are skipped with a notice (README: differences).
import type { IncomingHttpHeaders } from 'node:http';
import { log } from '../log.ts';

export interface PropagationConf {
  readonly extract?: readonly string[] | null;
  readonly clear?: readonly string[] | null;
  readonly inject?: readonly string[] | null;
  readonly default_format: string;
}

/** What an extractor found: ids as bytes, the sampled flag, the raw w3c flags. */
export interface Extracted {
  traceId?: Buffer;
  spanId?: Buffer;
  parentId?: Buffer;
  shouldSample?: boolean;
  w3cFlags?: number;
}

const PRESERVE_EXTRACT = ['b3', 'w3c', 'jaeger', 'ot', 'datadog', 'aws', 'gcp'];

/** get_plugin_params (propagation/init.lua:21-76). */
export function pluginParams(config: Record<string, unknown>): PropagationConf {
  const propagation = (config.propagation ?? { default_format: 'w3c' }) as PropagationConf;
  const set = Object.entries(propagation).some(
    ([k, v]) => k !== 'default_format' && v !== null && v !== undefined,
  );
  if (set) return propagation;
  const out: { -readonly [K in keyof PropagationConf]: PropagationConf[K] } = { ...propagation };
  const headerType = config.header_type as string | null | undefined;
  if (headerType === 'preserve') {
    out.extract = PRESERVE_EXTRACT;
    out.inject = ['preserve'];
  } else if (headerType === 'ignore') {
    out.inject = [out.default_format];
  } else if (headerType) {
    out.extract = PRESERVE_EXTRACT;
    out.inject = ['preserve', headerType];
  }
  return out;
}

const notImplemented = new Set<string>();
function notice(format: string): void {
  if (notImplemented.has(format)) return;
  notImplemented.add(format);
  log('notice', `[kong] the kong stand-in implements only the w3c propagation format, not ${format}`);
}

const W3C = /^([0-9a-fA-F]+)-([0-9a-fA-F]+)-([0-9a-fA-F]+)-([0-9a-fA-F]+)$/;

/** extractors/w3c.lua get_context: version 00, a non-zero 32-hex trace id and 16-hex parent id, 2-hex flags. */
function extractW3c(headers: IncomingHttpHeaders): Extracted | undefined {
  const raw = headers.traceparent;
  const traceparent = Array.isArray(raw) ? raw[0] : raw;
  if (typeof traceparent !== 'string' || traceparent === '') return undefined;
  const m = W3C.exec(traceparent);
  const warn = (why: string) => {
    log('warn', `[kong] w3c.lua ${why}`);
    return undefined;
  };
  if (!m) return warn('invalid W3C traceparent header; ignoring.');
  const [, version, traceId = '', parentId = '', flags = ''] = m;
  if (version !== '00') return warn('invalid W3C Trace Context version; ignoring.');
  if (traceId.length !== 32 || /^0+$/.test(traceId))
    return warn('invalid W3C trace context trace ID; ignoring.');
  if (parentId.length !== 16 || /^0+$/.test(parentId))
    return warn('invalid W3C trace context parent ID; ignoring.');
  if (flags.length !== 2) return warn('invalid W3C trace context flags; ignoring.');
  const flagsNumber = Number.parseInt(flags, 16);
  return {
    traceId: Buffer.from(traceId, 'hex'),
    // "parent" in W3C is the caller's span: Kong calls it span_id.
    spanId: Buffer.from(parentId, 'hex'),
    shouldSample: flagsNumber % 2 === 1,
    w3cFlags: flagsNumber,
  };
}

/** extract_tracing_context: the first extractor that finds a context wins. */
export function extract(
  conf: PropagationConf,
  headers: IncomingHttpHeaders,
): { ctx: Extracted; from?: string } {
  for (const format of conf.extract ?? []) {
    if (format !== 'w3c') {
      notice(format);
      continue;
    }
    const ctx = extractW3c(headers);
    if (ctx) return { ctx, from: format };
  }
  return { ctx: {} };
}

export function clear(conf: PropagationConf, headers: IncomingHttpHeaders): void {
  for (const name of conf.clear ?? []) delete headers[name.toLowerCase()];
}

/** inject_tracing_context with injectors/w3c.lua: `traceparent: 00-<trace>-<span>-<01|00>`. */
export function inject(
  conf: PropagationConf,
  extractedFrom: string | undefined,
  ctx: Extracted,
  headers: IncomingHttpHeaders,
): string | undefined {
  let traceId: string | undefined;
  for (const wanted of conf.inject ?? []) {
    const format = wanted === 'preserve' ? (extractedFrom ?? conf.default_format ?? 'w3c') : wanted;
    if (format !== 'w3c') {
      notice(format);
      continue;
    }
    if (!ctx.traceId || !ctx.spanId) {
      log('error', '[kong] w3c injector context is invalid: field trace_id not found in context');
      continue;
    }
    const id = toIdSize(ctx.traceId, 16).toString('hex');
    headers.traceparent = `00-${id}-${toIdSize(ctx.spanId, 8).toString('hex')}-${ctx.shouldSample ? '01' : '00'}`;
    traceId = id;
  }
  return traceId;
}

/** propagation utils to_id_size: left-pad with zeros, or keep the last bytes. */
function toIdSize(id: Buffer, size: number): Buffer {
  if (id.length > size) return id.subarray(id.length - size);
  if (id.length < size) return Buffer.concat([Buffer.alloc(size - id.length), id]);
  return id;
}
