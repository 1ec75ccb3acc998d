// Plugins: Kong 3.9's bundled list (for `available_on_server`) and the plugins the stand-in implements.
import type { Errors, Field } from './fields.ts';
import { checkOpentelemetry, OPENTELEMETRY_CONFIG } from './opentelemetry-schema.ts';

export const BUNDLED = [
  'acl',
  'acme',
  'ai-azure-content-safety',
  'ai-prompt-decorator',
  'ai-prompt-guard',
  'ai-prompt-template',
  'ai-proxy',
  'ai-request-transformer',
  'ai-response-transformer',
  'aws-lambda',
  'azure-functions',
  'basic-auth',
  'bot-detection',
  'correlation-id',
  'cors',
  'datadog',
  'file-log',
  'grpc-gateway',
  'grpc-web',
  'hmac-auth',
  'http-log',
  'ip-restriction',
  'jwt',
  'key-auth',
  'ldap-auth',
  'loggly',
  'oauth2',
  'opentelemetry',
  'post-function',
  'pre-function',
  'prometheus',
  'proxy-cache',
  'rate-limiting',
  'redirect',
  'request-size-limiting',
  'request-termination',
  'request-transformer',
  'response-ratelimiting',
  'response-transformer',
  'session',
  'standard-webhooks',
  'statsd',
  'syslog',
  'tcp-log',
  'udp-log',
  'zipkin',
];

export const PRIORITY: Record<string, number> = { prometheus: 13, opentelemetry: 14 };

export interface PluginSchema {
  version: string;
  priority: number;
  noConsumer: boolean;
  config: Record<string, Field>;
  /** The config record's entity checks (at_least_one_of, ...). */
  check?: (config: Record<string, unknown>) => Errors | undefined;
}

export const IMPLEMENTED: Record<string, PluginSchema> = {
  prometheus: {
    version: '3.9.1',
    priority: 13,
    noConsumer: true,
    config: {
      per_consumer: { type: 'boolean', default: false },
      status_code_metrics: { type: 'boolean', default: false },
      ai_metrics: { type: 'boolean', default: false },
      latency_metrics: { type: 'boolean', default: false },
      bandwidth_metrics: { type: 'boolean', default: false },
      upstream_health_metrics: { type: 'boolean', default: false },
    },
  },
  opentelemetry: {
    version: '3.9.1',
    priority: 14,
    noConsumer: false,
    config: OPENTELEMETRY_CONFIG,
    check: checkOpentelemetry,
  },
};

export function availableOnServer(): Record<string, { version: string; priority: number }> {
  const out: Record<string, { version: string; priority: number }> = {};
  for (const name of BUNDLED) out[name] = { version: '3.9.1', priority: PRIORITY[name] ?? 1000 };
  return out;
}
