// Self-registration on the local Consul agent. The original platform left this to registrator and
// configured no health checks; here each service registers itself with an HTTP or TCP check, so
// Consul DNS (and so Kong) only hands out instances that answer.
import { callJson, joinUrl } from './http.ts';

export type ConsulCheck = {
  /** e.g. "2s". */
  readonly interval: string;
  readonly timeout: string;
  /** Consul's minimum is 1m; reaped every 30s. Cleans up after a replica that died without deregistering. */
  readonly deregisterCriticalServiceAfter: string;
  /**
   * The check's status until it first runs (Consul's default: critical). A service that registers
   * only once it can serve should say 'passing', or it is invisible to Consul DNS, and so to Kong,
   * for up to one interval after it reported itself ready.
   */
  readonly status?: 'passing' | 'warning' | 'critical';
} & ({ readonly http: string; readonly tcp?: never } | { readonly tcp: string; readonly http?: never });

export interface ConsulRegistration {
  /** The agent's HTTP API, e.g. http://consul:8500. */
  readonly consulUrl: string;
  /** Unique per instance, e.g. `<name>-<hostname>`. */
  readonly id: string;
  readonly name: string;
  /** The address other containers (and Kong) reach this instance on. */
  readonly address: string;
  readonly port: number;
  readonly tags?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
  readonly check: ConsulCheck;
  readonly signal?: AbortSignal;
}

/** The body of `PUT /v1/agent/service/register`, exported for tests and for callers that log it. */
export function consulServiceDefinition(options: ConsulRegistration): Record<string, unknown> {
  const { check } = options;
  return {
    ID: options.id,
    Name: options.name,
    Address: options.address,
    Port: options.port,
    ...(options.tags === undefined ? {} : { Tags: [...options.tags] }),
    ...(options.meta === undefined ? {} : { Meta: { ...options.meta } }),
    Check: {
      ...(check.http === undefined ? { TCP: check.tcp } : { HTTP: check.http }),
      Interval: check.interval,
      Timeout: check.timeout,
      DeregisterCriticalServiceAfter: check.deregisterCriticalServiceAfter,
      ...(check.status === undefined ? {} : { Status: check.status }),
    },
  };
}

export async function registerOnConsul(options: ConsulRegistration): Promise<void> {
  await callJson('PUT', joinUrl(options.consulUrl, '/v1/agent/service/register'), {
    body: consulServiceDefinition(options),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** Consul answers 404 `Unknown service "<id>"` for an absent id (1.20, agent/acl.go): that counts as done. */
export async function deregisterFromConsul(options: {
  readonly consulUrl: string;
  readonly id: string;
  readonly signal?: AbortSignal;
}): Promise<void> {
  await callJson(
    'PUT',
    joinUrl(options.consulUrl, `/v1/agent/service/deregister/${encodeURIComponent(options.id)}`),
    {
      alsoOk: [404],
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}
