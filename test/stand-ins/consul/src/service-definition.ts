// Decodes and validates PUT /v1/agent/service/register bodies the way Consul's decoder does:
// field names match case-insensitively (Go encoding/json) and snake_case aliases are accepted.

import type { CheckDef, CheckStatus, ServiceDef } from './catalog.ts';
import { parseGoDuration } from './durations.ts';
import { HttpError } from './http-util.ts';
import type { Logger } from './log.ts';

type Obj = Record<string, unknown>;
const norm = (k: string): string => k.replace(/_/g, '').toLowerCase();

/** Looks a field up case-insensitively, snake_case included (script_args = ScriptArgs). */
export function field(obj: Obj, ...names: string[]): unknown {
  const wanted = new Set(names.map(norm));
  for (const [k, v] of Object.entries(obj)) if (wanted.has(norm(k))) return v;
  return undefined;
}

function decodeError(value: unknown, struct: string, name: string, goType: string): HttpError {
  const jsType = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const t = jsType === 'boolean' ? 'bool' : jsType === 'object' ? 'object' : jsType;
  return new HttpError(
    400,
    `Request decode failed: json: cannot unmarshal ${t} into Go struct field ${struct}.${name} of type ${goType}`,
  );
}

function str(obj: Obj, struct: string, ...names: string[]): string {
  const v = field(obj, ...names);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw decodeError(v, struct, names[0] ?? '', 'string');
  return v;
}

function int(obj: Obj, struct: string, name: string): number {
  const v = field(obj, name);
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw decodeError(v, struct, name, 'int');
  return v;
}

function strList(obj: Obj, struct: string, ...names: string[]): string[] {
  const v = field(obj, ...names);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw decodeError(v, struct, names[0] ?? '', '[]string');
  return v as string[];
}

function strMap(obj: Obj, struct: string, name: string): Record<string, string> {
  const v = field(obj, name);
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw decodeError(v, struct, name, 'map[string]string');
  }
  return v as Record<string, string>;
}

function duration(obj: Obj, ...names: string[]): number | undefined {
  const v = field(obj, ...names);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v / 1e6;
  if (typeof v !== 'string')
    throw new HttpError(400, `Request decode failed: invalid duration ${JSON.stringify(v)}`);
  const ms = parseGoDuration(v);
  if (ms === undefined)
    throw new HttpError(400, `Request decode failed: time: invalid duration ${JSON.stringify(v)}`);
  return ms;
}

function validateMeta(meta: Record<string, string>): void {
  const keys = Object.keys(meta);
  if (keys.length > 64)
    throw new HttpError(
      400,
      'Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs',
    );
  for (const k of keys) {
    if (k === '') throw new HttpError(400, 'Invalid Service Meta: Key cannot be blank');
    if (k.length > 128)
      throw new HttpError(400, `Invalid Service Meta: Key is too long (limit: 128 characters)`);
    if (!/^[a-zA-Z0-9_-]+$/.test(k))
      throw new HttpError(400, `Invalid Service Meta: Key contains invalid characters`);
    if (k.startsWith('consul-'))
      throw new HttpError(400, "Invalid Service Meta: Key prefix 'consul-' is reserved for internal use");
    if ((meta[k] ?? '').length > 512)
      throw new HttpError(400, 'Invalid Service Meta: Value is too long (limit: 512 characters)');
  }
}

const UNSUPPORTED = ['GRPC', 'H2PING', 'UDP', 'DockerContainerID', 'AliasService', 'AliasNode', 'OSService'];

interface CheckFields {
  c: Obj;
  http: string;
  tcp: string;
  args: string[];
  intervalMs: number | undefined;
  ttlMs: number | undefined;
  timeoutMs: number | undefined;
  deregisterAfterMs: number | undefined;
  status: string;
}

/** The JSON-decoding half of a check: type and duration errors (Go's decoder runs before any validation). */
function readCheck(raw: unknown): CheckFields | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw decodeError(raw, 'ServiceDefinition', 'Check', 'structs.CheckType');
  }
  const c = raw as Obj;
  const S = 'CheckType';
  const fields: CheckFields = {
    c,
    http: str(c, S, 'HTTP'),
    tcp: str(c, S, 'TCP'),
    args: strList(c, S, 'Args', 'ScriptArgs'),
    intervalMs: duration(c, 'Interval'),
    ttlMs: duration(c, 'TTL'),
    timeoutMs: duration(c, 'Timeout'),
    deregisterAfterMs: duration(c, 'DeregisterCriticalServiceAfter'),
    status: str(c, S, 'Status'),
  };
  str(c, S, 'CheckID', 'ID');
  str(c, S, 'Name');
  str(c, S, 'Notes');
  str(c, S, 'ServiceID');
  return Object.keys(c).length === 0 ? undefined : fields;
}

/** The validating half: CheckType.Validate's messages, minimum interval and deregister time. */
function validateCheck(f: CheckFields, log: Logger, scriptsEnabled: boolean): CheckDef {
  const { c, http, tcp, args, ttlMs, status } = f;
  let { intervalMs, timeoutMs, deregisterAfterMs } = f;
  const S = 'CheckType';
  const unsupported = UNSUPPORTED.find((u) => field(c, u));
  const intervalCheck = http !== '' || tcp !== '' || args.length > 0 || unsupported !== undefined;
  if ((intervalMs ?? 0) > 0 && (ttlMs ?? 0) > 0) {
    throw new HttpError(400, 'Invalid check: Interval and TTL cannot both be specified');
  }
  if (intervalCheck && !((intervalMs ?? 0) > 0)) {
    throw new HttpError(
      400,
      'Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks',
    );
  }
  if (!intervalCheck && !((ttlMs ?? 0) > 0))
    throw new HttpError(400, 'Invalid check: TTL must be > 0 for TTL checks');
  if (status !== '' && !['passing', 'warning', 'critical'].includes(status)) {
    throw new HttpError(400, "Status for checks must 'passing', 'warning', 'critical'");
  }
  if (args.length > 0) {
    throw new HttpError(
      500,
      scriptsEnabled
        ? 'stand-in: script checks are not implemented'
        : "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true",
    );
  }
  if (unsupported) {
    throw new HttpError(400, `Invalid check: the Consul stand-in does not implement ${unsupported} checks`);
  }
  if (intervalMs !== undefined && intervalMs > 0 && intervalMs < 1000) {
    log.warn('agent', 'check has interval below minimum', {
      check: str(c, S, 'CheckID', 'ID'),
      minimum_interval: '1s',
    });
    intervalMs = 1000;
  }
  if (intervalCheck && !((timeoutMs ?? 0) > 0)) timeoutMs = 10_000;
  if (deregisterAfterMs !== undefined && deregisterAfterMs > 0 && deregisterAfterMs < 60_000) {
    log.warn('agent', 'check has deregister interval below minimum', { minimum_interval: '1m0s' });
    deregisterAfterMs = 60_000;
  }
  const header = field(c, 'Header');
  const def: CheckDef = {
    checkId: str(c, S, 'CheckID', 'ID'),
    name: str(c, S, 'Name'),
    notes: str(c, S, 'Notes'),
    serviceId: str(c, S, 'ServiceID'),
    type: http ? 'http' : tcp ? 'tcp' : 'ttl',
    initialStatus: (status || 'critical') as CheckStatus,
  };
  if (http) {
    def.http = http;
    def.method = str(c, S, 'Method') || 'GET';
    def.body = str(c, S, 'Body');
    if (header && typeof header === 'object') def.header = header as Record<string, string[]>;
  }
  if (tcp) def.tcp = tcp;
  if (def.type === 'ttl') def.ttlMs = ttlMs;
  else def.intervalMs = intervalMs;
  if (timeoutMs !== undefined) def.timeoutMs = timeoutMs;
  if (deregisterAfterMs !== undefined && deregisterAfterMs > 0) def.deregisterAfterMs = deregisterAfterMs;
  return def;
}

/** PUT /v1/agent/check/register: "Missing check name", "Bad check status", then CheckType.Validate. */
export function decodeCheckRegistration(body: unknown, log: Logger, scriptsEnabled: boolean): CheckDef {
  if (body === undefined) throw new HttpError(400, 'Request decode failed: EOF');
  const fields = readCheck(body);
  const name = fields ? str(fields.c, 'CheckDefinition', 'Name') : '';
  if (!fields || name === '') throw new HttpError(400, 'Missing check name');
  if (fields.status !== '' && !['passing', 'warning', 'critical'].includes(fields.status)) {
    throw new HttpError(400, 'Bad check status');
  }
  const def = validateCheck(fields, log, scriptsEnabled);
  if (def.checkId === '') def.checkId = name;
  return def;
}

export interface Registration {
  service: ServiceDef;
  checks: CheckDef[];
}

/** PUT /v1/agent/service/register, in AgentRegisterService's order of checks. */
export function decodeRegistration(body: unknown, log: Logger, scriptsEnabled: boolean): Registration {
  if (body === undefined) throw new HttpError(400, 'Request decode failed: EOF');
  if (body === null) throw new HttpError(400, 'Missing service name');
  if (typeof body !== 'object' || Array.isArray(body)) {
    const t = Array.isArray(body) ? 'array' : typeof body === 'boolean' ? 'bool' : typeof body;
    throw new HttpError(
      400,
      `Request decode failed: json: cannot unmarshal ${t} into Go value of type structs.ServiceDefinition`,
    );
  }
  const b = body as Obj;
  const S = 'ServiceDefinition';
  const name = str(b, S, 'Name');
  const id = str(b, S, 'ID') || name;
  const meta = strMap(b, S, 'Meta');
  const port = int(b, S, 'Port');
  const address = str(b, S, 'Address');
  const tags = strList(b, S, 'Tags');
  const weightsRaw = field(b, 'Weights');
  const raws: CheckFields[] = [];
  const single = readCheck(field(b, 'Check'));
  if (single) raws.push(single);
  const many = field(b, 'Checks');
  if (many !== undefined && many !== null) {
    if (!Array.isArray(many)) throw decodeError(many, S, 'Checks', 'structs.CheckTypes');
    for (const c of many) {
      const f = readCheck(c);
      if (f) raws.push(f);
    }
  }

  if (name === '') throw new HttpError(400, 'Missing service name');
  if (address === '0.0.0.0' || address === '::' || address === '[::]')
    throw new HttpError(400, 'Invalid service address');
  const service: ServiceDef = {
    id,
    name,
    tags,
    address,
    port,
    meta,
    weights: { Passing: 1, Warning: 1 },
    enableTagOverride: field(b, 'EnableTagOverride') === true,
    taggedAddresses: (field(b, 'TaggedAddresses') as ServiceDef['taggedAddresses']) ?? {},
  };
  if (weightsRaw && typeof weightsRaw === 'object') {
    const w = weightsRaw as Obj;
    service.weights = {
      Passing: Number(field(w, 'Passing') ?? 0),
      Warning: Number(field(w, 'Warning') ?? 0),
    };
    if (service.weights.Passing < 1)
      throw new HttpError(400, 'Invalid Weights: Passing must be greater than 0');
    if (service.weights.Warning < 0)
      throw new HttpError(400, 'Invalid Weights: Warning must be greater or equal than 0');
  }
  validateMeta(meta);
  if (port < 0 || port > 65535) throw new HttpError(400, 'Validation failed: Invalid port');
  const defs = raws.map((f) => validateCheck(f, log, scriptsEnabled));
  defs.forEach((d, i) => {
    if (d.checkId === '') d.checkId = defs.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`;
    if (d.name === '') d.name = `Service '${name}' check`;
    d.serviceId = id;
  });
  return { service, checks: defs };
}
