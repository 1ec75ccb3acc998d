// Where each service of a running project is published (its first running replica), for probes that
// go through another service, such as a scaffolded service's readiness through Kong's proxy.
import type { Engine } from '../engine/engine.ts';
import { firstRunning, type ObservedContainers } from '../engine/observed-state.ts';
import type { PeerTarget } from '../readiness/probe.ts';

export type Peers = (service: string) => PeerTarget | undefined;

/** The peers of a project as an observation found it. */
export function peersOf(observed: ObservedContainers, host: string): Peers {
  return (service) => {
    const c = firstRunning(observed, service);
    return c === undefined
      ? undefined
      : { host, hostPort: (port, protocol = 'tcp') => c.ports[`${port}/${protocol}`] };
  };
}

export async function projectPeers(engine: Engine, host: string): Promise<Peers> {
  return peersOf(await engine.observe([]), host);
}
