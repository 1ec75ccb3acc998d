// Consul's view of a host run: instances listed at the host process's address and port, whoever
// registered them (the process itself, or mkdev for a service that does not register itself).
import { deregisterFromConsul } from '../register/consul.ts';

interface AgentService {
  readonly ID: string;
  readonly Service: string;
  readonly Address: string;
  readonly Port: number;
}

export async function instancesAt(consulUrl: string, address: string, port: number): Promise<AgentService[]> {
  const res = await fetch(new URL('/v1/agent/services', consulUrl), { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Consul answered ${res.status} to GET /v1/agent/services`);
  const services = (await res.json()) as Record<string, AgentService>;
  return Object.values(services).filter((s) => s.Address === address && s.Port === port);
}

/** Deregisters every instance pointing at address:port; returns their IDs. */
export async function deregisterAt(consulUrl: string, address: string, port: number): Promise<string[]> {
  const stale = await instancesAt(consulUrl, address, port);
  await Promise.all(
    stale.map((s) => deregisterFromConsul({ consulUrl, id: s.ID, signal: AbortSignal.timeout(5000) })),
  );
  return stale.map((s) => s.ID);
}
