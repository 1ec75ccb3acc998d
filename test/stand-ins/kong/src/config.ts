// Kong configuration from KONG_<NAME> / KONG_<NAME>_FILE, with kong_defaults.lua's defaults.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type Listener, parseListen } from './listen.ts';
import { tracingConfigErrors } from './tracing/kong-tracing.ts';

export const DEFAULTS: Record<string, string> = {
  prefix: '/usr/local/kong',
  log_level: 'notice',
  proxy_access_log: 'logs/access.log',
  proxy_error_log: 'logs/error.log',
  admin_access_log: 'logs/admin_access.log',
  admin_error_log: 'logs/error.log',
  status_access_log: 'off',
  status_error_log: 'logs/status_error.log',
  plugins: 'bundled',
  proxy_listen: '0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384',
  admin_listen: '127.0.0.1:8001 reuseport backlog=16384, 127.0.0.1:8444 http2 ssl reuseport backlog=16384',
  status_listen: '127.0.0.1:8007 reuseport backlog=16384',
  admin_gui_listen: '0.0.0.0:8002, 0.0.0.0:8445 ssl',
  nginx_worker_processes: 'auto',
  database: 'postgres',
  pg_host: '127.0.0.1',
  pg_port: '5432',
  pg_timeout: '5000',
  pg_user: 'kong',
  pg_password: '',
  pg_database: 'kong',
  pg_schema: '',
  pg_ssl: 'off',
  pg_ssl_verify: 'off',
  pg_max_concurrent_queries: '0',
  pg_semaphore_timeout: '60000',
  declarative_config: '',
  db_update_frequency: '5',
  db_update_propagation: '0',
  db_cache_ttl: '0',
  worker_consistency: 'eventual',
  worker_state_update_frequency: '5',
  dns_resolver: '',
  dns_hostsfile: '/etc/hosts',
  dns_order: 'LAST,SRV,A,CNAME',
  dns_valid_ttl: '',
  dns_stale_ttl: '3600',
  dns_not_found_ttl: '30',
  dns_error_ttl: '1',
  dns_no_sync: 'off',
  router_flavor: 'traditional_compatible',
  headers: 'server_tokens, latency_tokens, x-kong-request-id',
  error_default_type: 'text/plain',
  _debug_pg_ttl_cleanup_interval: '300',
  trusted_ips: '',
  real_ip_header: 'X-Real-IP',
  anonymous_reports: 'on',
  role: 'traditional',
  tracing_instrumentations: 'off',
  tracing_sampling_rate: '0.01',
};

const SECRETS = new Set(['pg_password', 'pg_ro_password', 'cassandra_password']);

export interface Config {
  raw: Record<string, string>;
  /** The settings given by the environment or a conf file (conf_loader's user_conf), not defaults. */
  given: Set<string>;
  prefix: string;
  database: 'postgres' | 'off';
  pg: { host: string; port: number; user: string; password: string; database: string; timeout: number };
  proxyListen: Listener[];
  adminListen: Listener[];
  statusListen: Listener[];
  dnsResolver: { host: string; port: number }[];
  dnsOrder: string[];
  dnsHostsfile: string;
  /** kong/resty/dns/client.lua's cache TTLs, in seconds (validTtl null: the answer's own TTL). */
  dnsTtl: DnsTtls;
  /** Cluster events poll interval and grace (db_update_frequency / db_update_propagation), seconds. */
  dbUpdateFrequency: number;
  dbUpdatePropagation: number;
  workerConsistency: 'strict' | 'eventual';
  workerStateUpdateFrequency: number;
  logLevel: string;
}

export interface DnsTtls {
  stale: number;
  notFound: number;
  error: number;
  valid: number | null;
}

export class ConfigError extends Error {}

/** Reads KONG_* and KONG_*_FILE from the environment (the latter as docker-kong's entrypoint does). */
export function readEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw: Record<string, string> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(env)) {
    // KONG_STANDIN_* configure the stand-in itself (see schema-version.ts), not Kong.
    if (!key.startsWith('KONG_') || key.startsWith('KONG_STANDIN_') || value === undefined) continue;
    if (key.endsWith('_FILE')) {
      const base = key.slice(0, -5);
      if (env[base] !== undefined)
        throw new ConfigError(`both ${base} and ${key} are set (but are exclusive)`);
      let content: string;
      try {
        content = readFileSync(value, 'utf8');
      } catch (e) {
        throw new ConfigError(`could not read ${key} (${value}): ${(e as Error).message}`);
      }
      // bash's $(< file) drops every trailing newline
      raw[base.slice(5).toLowerCase()] = content.replace(/\n+$/, '');
      continue;
    }
    raw[key.slice(5).toLowerCase()] = value;
  }
  return raw;
}

/** The KONG_<NAME> (and KONG_<NAME>_FILE) settings present in the environment, by Kong name. */
function userKeys(env: NodeJS.ProcessEnv): Record<string, true> {
  const keys: Record<string, true> = {};
  for (const key of Object.keys(env)) {
    if (!key.startsWith('KONG_') || key.startsWith('KONG_STANDIN_')) continue;
    keys[
      key
        .replace(/_FILE$/, '')
        .slice(5)
        .toLowerCase()
    ] = true;
  }
  return keys;
}

/**
 * kong/conf_loader/init.lua deprecated_properties (:81-104), run by `kong start` only (its
 * `starting` option, kong/cmd/start.lua:50-52; every other command loads the configuration with the
 * log disabled, :349-351, and nginx's init reads the prefix's .kong_env, which skips the check). A
 * property whose schema deprecates a value warns whenever the property is given, whatever its value
 * (the value is not compared), and, having no replacement, also warns that the property is
 * deprecated. In 3.9 that is `worker_consistency` (kong/conf_loader/constants.lua:400-405).
 */
export function deprecationWarnings(config: Config): string[] {
  if (!config.given.has('worker_consistency')) return [];
  return [
    "the configuration value 'strict' for configuration property 'worker_consistency' is deprecated",
    "the 'worker_consistency' configuration property is deprecated",
  ];
}

function parseResolver(value: string, errors: string[]): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const part of value.split(',')) {
    const server = part.trim();
    if (server === '') continue;
    let host = server;
    let port = 53;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
    const v4port = /^([^:]+):(\d+)$/.exec(server);
    if (bracket) {
      host = bracket[1] ?? '';
      if (bracket[2]) port = Number(bracket[2]);
    } else if (v4port) {
      host = v4port[1] ?? '';
      port = Number(v4port[2]);
    }
    if (isIP(host) === 0 || port < 1 || port > 65535) {
      errors.push(
        `dns_resolver must be a comma separated list in the form of IPv4/6 or IPv4/6:port, got '${server}'`,
      );
      continue;
    }
    out.push({ host, port });
  }
  return out;
}

/** Kong's `typ = "number"` settings (conf_loader/constants.lua): a value that is no number is an error. */
function numbers(raw: Record<string, string>, errors: string[]): (name: string) => number {
  return (name) => {
    const value = raw[name] ?? DEFAULTS[name] ?? '';
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      errors.push(`${name} is not a number: '${value}'`);
      return Number(DEFAULTS[name] ?? 0);
    }
    return n;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = readEnv(env);
  const given = new Set(Object.keys(userKeys(env)));
  const errors: string[] = [];
  const database = (raw.database ?? '').toLowerCase();
  if (database !== 'postgres' && database !== 'off') {
    errors.push(`database has an invalid value: '${raw.database}' (postgres, off)`);
  }
  const dnsOrder = (raw.dns_order ?? '').split(',').map((s) => s.trim().toUpperCase());
  for (const t of dnsOrder) {
    if (!['LAST', 'SRV', 'A', 'AAAA', 'CNAME'].includes(t)) errors.push(`dns_order: invalid entry '${t}'`);
  }
  const dnsResolver = parseResolver(raw.dns_resolver ?? '', errors);
  const listen = (name: string): Listener[] => {
    try {
      return parseListen(name, raw[name] ?? '');
    } catch (e) {
      errors.push((e as Error).message);
      return [];
    }
  };
  const proxyListen = listen('proxy_listen');
  const adminListen = listen('admin_listen');
  const statusListen = listen('status_listen');
  const pgPort = Number(raw.pg_port);
  if (!Number.isInteger(pgPort) || pgPort < 0 || pgPort > 65535) errors.push('pg_port must be a number');
  if (!['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'].includes(raw.log_level ?? '')) {
    errors.push(
      `log_level has an invalid value: '${raw.log_level}' (debug, info, notice, warn, error, crit, alert, emerg)`,
    );
  }
  const num = numbers(raw, errors);
  const dnsTtl: DnsTtls = {
    stale: num('dns_stale_ttl'),
    notFound: num('dns_not_found_ttl'),
    error: num('dns_error_ttl'),
    valid: raw.dns_valid_ttl ? num('dns_valid_ttl') : null,
  };
  const dbUpdateFrequency = num('db_update_frequency');
  const dbUpdatePropagation = num('db_update_propagation');
  const workerStateUpdateFrequency = num('worker_state_update_frequency');
  if (!['strict', 'eventual'].includes(raw.worker_consistency ?? '')) {
    errors.push(`worker_consistency has an invalid value: '${raw.worker_consistency}' (strict, eventual)`);
  }
  if (workerStateUpdateFrequency <= 0) errors.push('worker_state_update_frequency must be greater than 0');
  errors.push(...tracingConfigErrors(raw));
  if (errors.length > 0) throw new ConfigError(errors.join(', '));
  return {
    raw,
    given,
    prefix: raw.prefix ?? '/usr/local/kong',
    database: database as 'postgres' | 'off',
    pg: {
      host: raw.pg_host ?? '127.0.0.1',
      port: pgPort,
      user: raw.pg_user ?? 'kong',
      password: raw.pg_password ?? '',
      database: raw.pg_database ?? 'kong',
      timeout: Number(raw.pg_timeout) || 5000,
    },
    proxyListen,
    adminListen,
    statusListen,
    dnsResolver,
    dnsOrder,
    dnsHostsfile: raw.dns_hostsfile ?? '/etc/hosts',
    dnsTtl,
    dbUpdateFrequency,
    dbUpdatePropagation,
    workerConsistency: raw.worker_consistency as 'strict' | 'eventual',
    workerStateUpdateFrequency,
    logLevel: raw.log_level ?? 'notice',
  };
}

/** The configuration as `GET /` shows it: secrets masked like Kong does. */
export function publicConfiguration(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.raw)) out[k] = SECRETS.has(k) ? '******' : v;
  return out;
}
