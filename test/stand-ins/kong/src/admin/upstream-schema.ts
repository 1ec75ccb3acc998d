// The upstream entity (kong/db/schema/entities/upstreams.lua) with its health-check defaults.
import type { Field } from './fields.ts';
import { base, type EntityDef, foreign, host, isHostname, tags } from './typedefs.ts';

const statuses = (d: number[]): Field => ({
  type: 'array',
  default: d,
  elements: { type: 'integer', between: [100, 999] },
});

export const upstreams: EntityDef = {
  name: 'upstreams',
  endpointKey: 'name',
  unique: ['name'],
  foreign: { client_certificate: 'services' },
  fields: {
    ...base(),
    name: {
      type: 'string',
      required: true,
      check: (v) => (isHostname(String(v)) ? undefined : 'Invalid name; must be a valid hostname'),
    },
    algorithm: {
      type: 'string',
      default: 'round-robin',
      oneOf: ['consistent-hashing', 'least-connections', 'round-robin', 'latency'],
    },
    hash_on: {
      type: 'string',
      default: 'none',
      oneOf: ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'],
    },
    hash_fallback: {
      type: 'string',
      default: 'none',
      oneOf: ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'],
    },
    hash_on_header: { type: 'string' },
    hash_fallback_header: { type: 'string' },
    hash_on_cookie: { type: 'string' },
    hash_on_cookie_path: { type: 'string', default: '/' },
    hash_on_query_arg: { type: 'string' },
    hash_fallback_query_arg: { type: 'string' },
    hash_on_uri_capture: { type: 'string' },
    hash_fallback_uri_capture: { type: 'string' },
    slots: { type: 'integer', default: 10000, between: [10, 65536] },
    healthchecks: {
      type: 'record',
      fields: {
        active: {
          type: 'record',
          fields: {
            type: { type: 'string', default: 'http', oneOf: ['tcp', 'http', 'https', 'grpc', 'grpcs'] },
            timeout: { type: 'number', default: 1 },
            concurrency: { type: 'integer', default: 10 },
            http_path: { type: 'string', default: '/' },
            https_sni: { type: 'string' },
            https_verify_certificate: { type: 'boolean', default: true },
            headers: { type: 'map' },
            healthy: {
              type: 'record',
              fields: {
                interval: { type: 'number', default: 0 },
                http_statuses: statuses([200, 302]),
                successes: { type: 'integer', default: 0 },
              },
            },
            unhealthy: {
              type: 'record',
              fields: {
                interval: { type: 'number', default: 0 },
                http_statuses: statuses([429, 404, 500, 501, 502, 503, 504, 505]),
                tcp_failures: { type: 'integer', default: 0 },
                timeouts: { type: 'integer', default: 0 },
                http_failures: { type: 'integer', default: 0 },
              },
            },
          },
        },
        passive: {
          type: 'record',
          fields: {
            type: { type: 'string', default: 'http', oneOf: ['tcp', 'http', 'https', 'grpc', 'grpcs'] },
            healthy: {
              type: 'record',
              fields: {
                http_statuses: statuses([
                  200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307,
                  308,
                ]),
                successes: { type: 'integer', default: 0 },
              },
            },
            unhealthy: {
              type: 'record',
              fields: {
                http_statuses: statuses([429, 500, 503]),
                tcp_failures: { type: 'integer', default: 0 },
                timeouts: { type: 'integer', default: 0 },
                http_failures: { type: 'integer', default: 0 },
              },
            },
          },
        },
        threshold: { type: 'number', default: 0, between: [0, 100] },
      },
    },
    tags,
    host_header: host,
    client_certificate: foreign('certificates'),
    use_srv_name: { type: 'boolean', default: false },
  },
};
