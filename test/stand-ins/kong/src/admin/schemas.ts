// Entity schemas as Kong 3.9 defines them (kong/db/schema/entities/*.lua), reduced to what the stand-in serves.
import type { Field } from './fields.ts';
import {
  base,
  type EntityDef,
  type EntityName,
  foreign,
  host,
  isHostname,
  tags,
  timeout,
  utf8Name,
} from './typedefs.ts';
import { upstreams } from './upstream-schema.ts';

export type { EntityDef, EntityName } from './typedefs.ts';
export { isHostname } from './typedefs.ts';

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
