// The opentelemetry plugin's config schema (kong/plugins/opentelemetry/schema.lua @ 3.9.1, with
// typedefs.queue = kong/tools/queue_schema.lua and typedefs.propagation =
// kong/observability/tracing/propagation/schema.lua): fields, defaults, ranges, and its entity check.
import type { Errors, Field } from './fields.ts';

const FORMATS = ['w3c', 'b3', 'b3-single', 'jaeger', 'ot', 'datadog', 'aws', 'gcp'] as const;

/** typedefs.url's validate_url: a host and a scheme. */
function url(value: unknown): string | undefined {
  const text = String(value);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (!scheme) return /^[^/]*\/\//.test(text) ? 'missing scheme in url' : 'missing host in url';
  try {
    if (new URL(text).hostname === '') return 'missing host in url';
  } catch {
    return 'missing host in url';
  }
  return undefined;
}

const timeout = (fallback: number): Field => ({
  type: 'integer',
  default: fallback,
  between: [0, 2 ** 31 - 2],
});

const stringMap = (nonEmpty: boolean): Field => ({
  type: 'map',
  check: (v) => {
    for (const value of Object.values(v as Record<string, unknown>)) {
      if (typeof value !== 'string') return `invalid type of value: ${typeof value}`;
      if (nonEmpty && value.length === 0) return 'required field missing';
    }
    return undefined;
  },
});

export const OPENTELEMETRY_CONFIG: Record<string, Field> = {
  traces_endpoint: { type: 'string', check: url },
  logs_endpoint: { type: 'string', check: url },
  headers: stringMap(false),
  resource_attributes: stringMap(true),
  queue: {
    type: 'record',
    fields: {
      max_batch_size: { type: 'integer', default: 200, between: [1, 1_000_000] },
      max_coalescing_delay: { type: 'number', default: 1, between: [0, 3600] },
      max_entries: { type: 'integer', default: 10000, between: [1, 1_000_000] },
      max_bytes: { type: 'integer' },
      max_retry_time: { type: 'number', default: 60 },
      initial_retry_delay: { type: 'number', default: 0.01, between: [0.001, 1_000_000] },
      max_retry_delay: { type: 'number', default: 60, between: [0.001, 1_000_000] },
      concurrency_limit: { type: 'integer', default: 1, oneOf: [-1, 1] },
    },
  },
  batch_span_count: { type: 'integer' },
  batch_flush_delay: { type: 'integer' },
  connect_timeout: timeout(1000),
  send_timeout: timeout(5000),
  read_timeout: timeout(5000),
  http_response_header_for_traceid: { type: 'string' },
  header_type: {
    type: 'string',
    default: 'preserve',
    oneOf: ['preserve', 'ignore', 'b3', 'b3-single', 'w3c', 'jaeger', 'ot', 'aws', 'gcp', 'datadog'],
  },
  sampling_rate: { type: 'number', between: [0, 1] },
  propagation: {
    type: 'record',
    default: { extract: null, clear: null, inject: null, default_format: 'w3c' },
    fields: {
      extract: {
        type: 'array',
        elements: { type: 'string', oneOf: FORMATS.filter((f) => f !== 'b3-single') },
      },
      clear: { type: 'array', elements: { type: 'string' } },
      inject: { type: 'array', elements: { type: 'string', oneOf: ['preserve', ...FORMATS] } },
      default_format: { type: 'string', required: true, oneOf: FORMATS },
    },
  },
};

/** entity_checks: at_least_one_of traces_endpoint, logs_endpoint. */
export function checkOpentelemetry(config: Record<string, unknown>): Errors | undefined {
  const set = (v: unknown) => v !== null && v !== undefined && v !== '';
  if (set(config.traces_endpoint) || set(config.logs_endpoint)) return undefined;
  return {
    '@entity': ["at least one of these fields must be non-empty: 'traces_endpoint', 'logs_endpoint'"],
  };
}
