// Consul's view of a host run: instances listed at an address (and port), whoever registered them (the
// process itself, a container, the registrator, or mkdev for a service that does not register itself).
import { setTimeout as sleep } from 'node:timers/promises';
import { type CatalogInstance, untilCatalog } from '../platform/consul-catalog-watch.ts';
import { deregisterFromConsul } from '../register/consul.ts';

interface AgentService {
  readonly ID: string;
  readonly Service: string;
  readonly Address: string;
  readonly Port: number;
}

async function agentServices(consulUrl: string): Promise<AgentService[]> {
  const res = await fetch(new URL('/v1/agent/services', consulUrl), { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Consul answered ${res.status} to GET /v1/agent/services`);
  return Object.values((await res.json()) as Record<string, AgentService>);
}

/** Instances at `address`, and at `port` when one is given. */
export async function instancesAt(
  consulUrl: string,
  address: string,
  port?: number,
): Promise<AgentService[]> {
  return (await agentServices(consulUrl)).filter(
    (s) => s.Address === address && (port === undefined || s.Port === port),
  );
}

/** Deregisters every instance at address (and port); returns their IDs. */
export async function deregisterAt(consulUrl: string, address: string, port?: number): Promise<string[]> {
  const stale = await instancesAt(consulUrl, address, port);
  await Promise.all(
    stale.map((s) => deregisterFromConsul({ consulUrl, id: s.ID, signal: AbortSignal.timeout(5000) })),
  );
  return stale.map((s) => s.ID);
}

/**
 * True when Consul lists an instance at address:port and every check of every such instance passes:
 * Consul's DNS, and so Kong, hands it out (GET /v1/agent/health/service/id/:id answers 200 only then).
 */
export async function passingAt(consulUrl: string, address: string, port: number): Promise<boolean> {
  const instances = await instancesAt(consulUrl, address, port);
  if (instances.length === 0) return false;
  const statuses = await Promise.all(
    instances.map(async (s) => {
      const url = new URL(`/v1/agent/health/service/id/${encodeURIComponent(s.ID)}`, consulUrl);
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      return res.status;
    }),
  );
  return statuses.every((s) => s === 200);
}

/**
 * Waits (up to `timeoutMs`) until Consul's catalog, which its DNS answers from, lists no instance of
 * `service` at any of `addresses` (at `port` when given): the agent drops a deregistered instance at
 * once, the catalog a moment later (seen as it happens: a blocking query).
 */
export async function untilOutOfCatalog(
  consulUrl: string,
  service: string,
  addresses: readonly string[],
  port?: number,
  timeoutMs = 5000,
): Promise<void> {
  const at = (s: CatalogInstance) =>
    addresses.includes(s.ServiceAddress) && (port === undefined || s.ServicePort === port);
  await untilCatalog(consulUrl, service, (listed) => !listed.some(at), timeoutMs);
}

/**
 * Kong may still send requests to an instance after it left Consul: it answers from its stale DNS entry
 * (KONG_DNS_STALE_TTL) while it refreshes it, and a retry reads that cache only. So an instance keeps
 * serving until Consul's catalog no longer lists it and Kong's next refresh has had time to land (under
 * traffic, the first request after the change starts it): then it may stop.
 */
const KONG_REFRESH_MARGIN_MS = 500;

export async function drained(
  consulUrl: string,
  service: string,
  addresses: readonly string[],
  port?: number,
): Promise<void> {
  if (addresses.length === 0) return;
  await untilOutOfCatalog(consulUrl, service, addresses, port);
  await sleep(KONG_REFRESH_MARGIN_MS);
}
