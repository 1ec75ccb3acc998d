// The status of each service: what runs, whether it is ready now (each probe tried once), whether its
// configuration drifted from the stack, and where it is published.
import type Docker from 'dockerode';
import { probeTargetFor } from '../engine/container-ops.ts';
import { stackHashes } from '../plan/config-hash.ts';
import { type ObservedState, observeProject } from '../plan/observe.ts';
import { allOf } from '../readiness/create-probe.ts';
import type { PeerTarget } from '../readiness/probe.ts';
import type { Stack } from '../stack/model.ts';
import { type Endpoint, resolveEndpoints } from './endpoints.ts';

export interface ReplicaStatus {
  readonly service: string;
  readonly replica: number;
  readonly container: string;
  /** running, exited, completed (a one-shot job that exited 0), created, missing. */
  readonly state: string;
  readonly ready: boolean | null;
  readonly reason?: string;
  readonly upToDate: boolean;
  readonly ports: Readonly<Record<string, number>>;
}

export interface StackStatus {
  readonly project: string;
  readonly services: readonly ReplicaStatus[];
  readonly endpoints: readonly Endpoint[];
}

export async function stackStatus(docker: Docker, stack: Stack, host: string): Promise<StackStatus> {
  const observed: ObservedState = await observeProject(docker, stack.project);
  const hashes = stackHashes(stack);
  const rows = await Promise.all(
    Object.values(stack.services).flatMap((service) =>
      Array.from({ length: service.replicas }, async (_, i): Promise<ReplicaStatus> => {
        const replica = i + 1;
        const c = observed.containers.find((o) => o.service === service.name && o.replica === replica);
        if (c === undefined) {
          return {
            service: service.name,
            replica,
            container: '',
            state: 'missing',
            ready: false,
            upToDate: false,
            ports: {},
          };
        }
        const base = {
          service: service.name,
          replica,
          container: c.name,
          upToDate: c.configHash === hashes[service.name]?.config,
          ports: c.ports,
        };
        if (service.oneShot) {
          const done = c.state === 'exited' && c.exitCode === 0;
          return { ...base, state: done ? 'completed' : c.state, ready: done };
        }
        if (c.state !== 'running') return { ...base, state: c.state, ready: false };
        if (!service.ready) return { ...base, state: 'running', ready: null };
        const target = {
          ...(await probeTargetFor(docker.getContainer(c.id), host)),
          peer: (name: string) => publishedPeer(observed, name, host),
        };
        const result = await allOf(service.ready.probes)
          .check(target, AbortSignal.timeout(3000))
          .catch((e: unknown) => ({ ready: false as const, reason: String(e) }));
        return {
          ...base,
          state: 'running',
          ready: result.ready,
          ...(result.ready ? {} : { reason: result.reason }),
        };
      }),
    ),
  );
  return { project: stack.project, services: rows, endpoints: resolveEndpoints(stack, observed, host) };
}

/** Where another service's first replica is published, for probes through it (Kong's proxy). */
function publishedPeer(observed: ObservedState, service: string, host: string): PeerTarget | undefined {
  const c = observed.containers.find((o) => o.service === service && o.replica === 1);
  if (c === undefined) return undefined;
  return { host, hostPort: (port, protocol = 'tcp') => c.ports[`${port}/${protocol}`] };
}
