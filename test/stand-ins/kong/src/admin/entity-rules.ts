// Entity-level rules Kong applies beyond single fields: shorthands, entity checks, normalisation.
import { isIP } from 'node:net';
import { type Errors, validateRecord, withDefaults } from './fields.ts';
import { BUNDLED, IMPLEMENTED } from './plugin-schemas.ts';
import type { EntityName } from './schemas.ts';

/** Expands `url` on services into protocol/host/port/path, as Kong's shorthand field does. */
export function expandShorthands(entity: EntityName, input: Record<string, unknown>): Errors | undefined {
  if (entity !== 'services' || input.url === undefined) return undefined;
  const url = input.url;
  delete input.url;
  if (url === null) return undefined;
  if (typeof url !== 'string') return { url: 'expected a string' };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { host: 'required field missing' };
  }
  const protocol = u.protocol.replace(/:$/, '');
  input.protocol = protocol;
  input.host = u.hostname.replace(/^\[|\]$/g, '');
  input.port =
    u.port !== ''
      ? Number(u.port)
      : protocol === 'https' || protocol === 'grpcs' || protocol === 'wss'
        ? 443
        : 80;
  const path = u.pathname + u.search;
  input.path = url.replace(/^[a-z]+:\/\/[^/?#]*/i, '') === '' ? null : path;
  return undefined;
}

export function normalizeTarget(target: string): string | undefined {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  if (v6) return isIP(v6[1] ?? '') === 6 ? `[${v6[1]}]:${v6[2] ?? 8000}` : undefined;
  if (isIP(target) === 6) return `[${target}]:8000`;
  const m = /^([^:]+)(?::(\d+))?$/.exec(target);
  if (!m) return undefined;
  const port = m[2] === undefined ? 8000 : Number(m[2]);
  if (port < 0 || port > 65535) return undefined;
  return `${m[1]}:${port}`;
}

/** Checks that run on the complete entity (after defaults/merge). */
export function entityChecks(
  entity: EntityName,
  e: Record<string, unknown>,
  form: boolean,
): Errors | undefined {
  switch (entity) {
    case 'services': {
      if (e.path !== null && !['http', 'https', 'grpc', 'grpcs', 'ws', 'wss'].includes(String(e.protocol))) {
        return {
          path: `value must be null`,
          '@entity': [`'path' can only be set when 'protocol' is 'http' or 'https'`],
        };
      }
      return undefined;
    }
    case 'routes': {
      const protocols = (e.protocols as string[] | null) ?? [];
      const set = (k: string): boolean => {
        const v = e[k];
        if (v === null || v === undefined) return false;
        if (Array.isArray(v)) return v.length > 0;
        return typeof v === 'object' ? Object.keys(v as object).length > 0 : true;
      };
      if (protocols.some((p) => ['http', 'https'].includes(p))) {
        const https = protocols.includes('https');
        const keys = https
          ? ['methods', 'hosts', 'headers', 'paths', 'snis']
          : ['methods', 'hosts', 'headers', 'paths'];
        if (!keys.some(set)) {
          return {
            '@entity': [
              `must set one of ${keys.map((k) => `'${k}'`).join(', ')} when 'protocols' is '${https ? 'https' : 'http'}'`,
            ],
          };
        }
      }
      return undefined;
    }
    case 'consumers':
      if ((e.username ?? null) === null && (e.custom_id ?? null) === null) {
        return { '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] };
      }
      return undefined;
    case 'targets': {
      if (typeof e.target !== 'string') return undefined;
      const t = normalizeTarget(e.target);
      if (!t) return { target: 'Invalid target; not a valid hostname or ip address' };
      e.target = t;
      return undefined;
    }
    case 'plugins': {
      const name = String(e.name);
      const schema = IMPLEMENTED[name];
      if (!schema) {
        const msg = BUNDLED.includes(name)
          ? `plugin '${name}' is bundled with Kong 3.9 but not implemented by the kong stand-in`
          : `plugin '${name}' not enabled; add it to the 'plugins' configuration property`;
        return { name: msg };
      }
      if (schema.noConsumer && e.consumer !== null && e.consumer !== undefined)
        return { consumer: 'value must be null' };
      const cfg = e.config ?? {};
      if (typeof cfg !== 'object' || Array.isArray(cfg)) return { config: 'expected a record' };
      const [config, errs] = validateRecord(schema.config, cfg as Record<string, unknown>, form);
      if (errs) return { config: errs };
      const entityErrors = schema.check?.(config);
      if (entityErrors) return { config: entityErrors };
      // Records left out take their defaults (the opentelemetry plugin's queue and propagation).
      e.config = withDefaults(schema.config, config);
      return undefined;
    }
    default:
      return undefined;
  }
}
