// Entity schemas as Kong 3.9 defines them (kong/db/schema/entities/*.lua), reduced to what the stand-in serves.
import type { Field } from './fields.ts';

export type EntityName = 'services' | 'routes' | 'consumers' | 'upstreams' | 'targets' | 'plugins';

export interface EntityDef {
  name: EntityName;
  /** Path key that is not a UUID resolves through this field. */
  endpointKey: string | null;
  /** Unique fields (besides id). */
  unique: string[];
  fields: Record<string, Field>;
  /** Foreign fields: field name -> referenced entity. */
  foreign: Record<string, EntityName>;
  tsMs?: boolean;
}

const NAME_RE = /^[0-9a-zA-Z.\-_~]+$/;
const HOST_RE =
  /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/;
const IPV6_RE = /^\[?[0-9a-fA-F:.]+\]?$/;

export const isHostname = (v: string): boolean => HOST_RE.test(v) || (v.includes(':') && IPV6_RE.test(v));

const utf8Name: Field = {
  type: 'string',
  check: (v) =>
    NAME_RE.test(String(v))
      ? undefined
      : `invalid value '${v}': it must only contain alphanumeric and '., -, _, ~' characters`,
};
const host: Field = {
  type: 'string',
  check: (v) => (isHostname(String(v)) ? undefined : `invalid value: ${String(v)}`),
};
const tags: Field = {
  type: 'set',
  elements: {
    type: 'string',
    check: (v) =>
      /[,/]/.test(String(v))
        ? 'invalid tag: expected printable ascii (except `,` and `/`) or valid utf-8 sequences'
        : undefined,
  },
};
const timeout: Field = { type: 'integer', default: 60000, between: [1, 2147483646] };
const foreign = (reference: string, required = false): Field => ({ type: 'foreign', reference, required });
const base = (ms = false): Record<string, Field> => ({
  id: { type: 'string', auto: 'uuid' },
  created_at: { type: ms ? 'number' : 'integer', auto: ms ? 'ts_ms' : 'ts_s' },
  updated_at: { type: ms ? 'number' : 'integer', auto: ms ? 'ts_ms' : 'ts_s' },
});

const PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'];

export const services: EntityDef = {
  name: 'services',
  endpointKey: 'name',
  unique: ['name'],
  foreign: { client_certificate: 'services' },
  fields: {
    ...base(),
    name: utf8Name,
    retries: { type: 'integer', default: 5, between: [0, 32767] },
    protocol: { type: 'string', default: 'http', required: true, oneOf: PROTOCOLS },
    host: { ...host, required: true },
    port: { type: 'integer', default: 80, required: true, between: [0, 65535] },
    path: {
      type: 'string',
      check: (v) => (String(v).startsWith('/') ? undefined : 'should start with: /'),
    },
    connect_timeout: timeout,
    write_timeout: timeout,
    read_timeout: timeout,
    tags,
    client_certificate: foreign('certificates'),
    tls_verify: { type: 'boolean' },
    tls_verify_depth: { type: 'integer', between: [0, 64] },
    ca_certificates: {
      type: 'array',
      elements: {
        type: 'string',
        check: (v) => (/^[0-9a-f-]{36}$/i.test(String(v)) ? undefined : 'expected a valid UUID'),
      },
    },
    enabled: { type: 'boolean', default: true, required: true },
  },
};

const routePath: Field = {
  type: 'string',
  check: (v) => {
    const s = String(v);
    if (!(s.startsWith('/') || s.startsWith('~/')))
      return 'should start with: / (fixed path) or ~/ (regex path)';
    if (s.startsWith('~')) {
      try {
        new RegExp(s.slice(1));
      } catch {
        return `invalid regex: '${s.slice(1)}'`;
      }
    }
    return undefined;
  },
};

export const routes: EntityDef = {
  name: 'routes',
  endpointKey: 'name',
  unique: ['name'],
  foreign: { service: 'services' },
  fields: {
    ...base(),
    name: utf8Name,
    protocols: {
      type: 'set',
      default: ['http', 'https'],
      required: true,
      elements: { type: 'string', oneOf: PROTOCOLS },
    },
    methods: {
      type: 'set',
      elements: {
        type: 'string',
        check: (v) => (/^[A-Z]+$/.test(String(v)) ? undefined : `invalid value: ${v}`),
      },
    },
    hosts: {
      type: 'array',
      elements: {
        type: 'string',
        check: (v) => {
          const s = String(v).replace(/^\*\./, 'x.').replace(/\.\*$/, '.x').replace(/:\d+$/, '');
          return isHostname(s) ? undefined : `invalid hostname: ${v}`;
        },
      },
    },
    paths: { type: 'array', elements: routePath },
    headers: { type: 'map' },
    https_redirect_status_code: {
      type: 'integer',
      default: 426,
      required: true,
      oneOf: [426, 301, 302, 307, 308],
    },
    regex_priority: { type: 'integer', default: 0 },
    strip_path: { type: 'boolean', default: true, required: true },
    path_handling: { type: 'string', default: 'v0', oneOf: ['v0', 'v1'] },
    preserve_host: { type: 'boolean', default: false, required: true },
    request_buffering: { type: 'boolean', default: true, required: true },
    response_buffering: { type: 'boolean', default: true, required: true },
    snis: { type: 'set', elements: { type: 'string' } },
    sources: {
      type: 'set',
      elements: { type: 'record', fields: { ip: { type: 'string' }, port: { type: 'integer' } } },
    },
    destinations: {
      type: 'set',
      elements: { type: 'record', fields: { ip: { type: 'string' }, port: { type: 'integer' } } },
    },
    tags,
    service: foreign('services'),
  },
};

export const consumers: EntityDef = {
  name: 'consumers',
  endpointKey: 'username',
  unique: ['username', 'custom_id'],
  foreign: {},
  fields: { ...base(), username: { type: 'string' }, custom_id: { type: 'string' }, tags },
};

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

export const targets: EntityDef = {
  name: 'targets',
  endpointKey: 'target',
  unique: [],
  foreign: { upstream: 'upstreams' },
  tsMs: true,
  fields: {
    ...base(true),
    upstream: foreign('upstreams', true),
    target: { type: 'string', required: true },
    weight: { type: 'integer', default: 100, between: [0, 65535] },
    tags,
  },
};

export const plugins: EntityDef = {
  name: 'plugins',
  endpointKey: null,
  unique: [],
  foreign: { service: 'services', route: 'routes', consumer: 'consumers' },
  fields: {
    ...base(),
    name: { type: 'string', required: true },
    instance_name: utf8Name,
    route: foreign('routes'),
    service: foreign('services'),
    consumer: foreign('consumers'),
    config: { type: 'any' },
    protocols: {
      type: 'set',
      default: ['grpc', 'grpcs', 'http', 'https'],
      required: true,
      elements: { type: 'string', oneOf: PROTOCOLS },
    },
    enabled: { type: 'boolean', default: true, required: true },
    tags,
  },
};

export const ENTITIES: Record<EntityName, EntityDef> = {
  services,
  routes,
  consumers,
  upstreams,
  targets,
  plugins,
};
