// Where each service of a running project is published (its first running replica), for probes that
// go through another service, such as a scaffolded service's readiness through Kong's proxy.
import type Docker from 'dockerode';
import { observeProject } from '../plan/observe.ts';
import type { PeerTarget } from '../readiness/probe.ts';

export async function projectPeers(
  docker: Docker,
  project: string,
  host: string,
): Promise<(service: string) => PeerTarget | undefined> {
  const observed = await observeProject(docker, project);
  return (service) => {
    const c = observed.containers.find(
      (x) => x.service === service && x.replica === 1 && x.state === 'running',
    );
    return c === undefined
      ? undefined
      : { host, hostPort: (port, protocol = 'tcp') => c.ports[`${port}/${protocol}`] };
  };
}
