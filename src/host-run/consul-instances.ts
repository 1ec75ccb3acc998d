// Consul's view of a host run: instances listed at an address (and port), whoever registered them (the
// process itself, a container, the registrator, or mkdev for a service that does not register itself).
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
