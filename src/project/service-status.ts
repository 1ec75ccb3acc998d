// The status of each service: what runs, whether it is ready now (each probe tried once), whether its
// configuration drifted from the stack, and where it is published.
import type { Engine } from '../engine/engine.ts';
import type { ObservedContainers } from '../engine/observed-state.ts';
import { probeTarget } from '../engine/probe-target.ts';
import { stackHashes } from '../plan/config-hash.ts';
import { type PlatformUrls, platformUrls } from '../platform/role-urls.ts';
import { allOf } from '../readiness/create-probe.ts';
import { notReady, type ProbeResult, type ProbeTarget } from '../readiness/probe.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import type { Role } from '../stack/roles.ts';
import { type Endpoint, resolveEndpoints } from './endpoints.ts';
import { peersOf } from './peers.ts';
import { servicesOnHost } from './run-record.ts';

export interface ReplicaStatus {
  readonly service: string;
  /** The platform role its service plays (`role:` in the stack), if any. */
  readonly role?: Role;
  readonly replica: number;
  readonly container: string;
  /** running, exited, completed (a one-shot job that exited 0), created, missing, or `host (pid N)`. */
  readonly state: string;
  readonly ready: boolean | null;
  readonly reason?: string;
  readonly upToDate: boolean;
  readonly ports: Readonly<Record<string, number>>;
  /** How often the engine restarted it (its restart policy, after a crash). */
  readonly restarts?: number;
  /** The exit code of its last run, when it has exited at least once. */
  readonly lastExitCode?: number;
}

/**
 * Each probe's deadline in `status`: one hung dependency (Kong waiting on a dead Postgres) must not
 * hang the answer; probes run in parallel, so status answers within about this.
 */
const roleOf = (service: ServiceSpec) => (service.role === undefined ? {} : { role: service.role });

export const STATUS_PROBE_DEADLINE_MS = 1500;

async function probeOnce(service: ServiceSpec, target: ProbeTarget): Promise<ProbeResult> {
  const signal = AbortSignal.timeout(STATUS_PROBE_DEADLINE_MS);
  const deadline = new Promise<ProbeResult>((resolve) =>
    signal.addEventListener(
      'abort',
      () => resolve(notReady(`no answer within ${STATUS_PROBE_DEADLINE_MS} ms`)),
      {
        once: true,
      },
    ),
  );
  const check = allOf(service.ready?.probes ?? [])
    .check(target, signal)
    .catch((e: unknown) => notReady(String(e)));
  return Promise.race([check, deadline]);
}

export interface StackStatus {
  readonly project: string;
  readonly services: readonly ReplicaStatus[];
  readonly endpoints: readonly Endpoint[];
  /** The platform's endpoints by role. */
  readonly platform: PlatformUrls;
}

export async function stackStatus(engine: Engine, stack: Stack, host: string): Promise<StackStatus> {
  // Only the containers: the project's network and volumes do not change what status says.
  const observed: ObservedContainers = { containers: await engine.containers() };
  const hashes = stackHashes(stack);
  const peer = peersOf(observed, host);
  const onHost = servicesOnHost(stack.projectDir, stack.project);
  const rows = await Promise.all(
    Object.values(stack.services).flatMap((service) =>
      Array.from({ length: service.replicas }, async (_, i): Promise<ReplicaStatus> => {
        const replica = i + 1;
        const c = observed.containers.find((o) => o.service === service.name && o.replica === replica);
        const hostPid = onHost.get(service.name);
        if (hostPid !== undefined) {
          // `mkdev run` holds it: its containers are stopped on purpose, the host process serves.
          return {
            service: service.name,
            ...roleOf(service),
            replica,
            container: c?.name ?? '',
            state: `host (pid ${hostPid})`,
            ready: null,
            upToDate: c === undefined ? false : c.configHash === hashes[service.name]?.config,
            ports: {},
          };
        }
        if (c === undefined) {
          return {
            service: service.name,
            ...roleOf(service),
            replica,
            container: '',
            state: 'missing',
            ready: false,
            upToDate: false,
            ports: {},
          };
        }
        // Its restarts (an inspect) while the probe runs: neither waits on the other.
        const history = engine.exitHistory(c);
        const probed =
          !service.oneShot && c.state === 'running' && service.ready
            ? probeOnce(service, {
                // The listing's ports: one engine call for the project, not an inspect per container.
                ...probeTarget(engine, c, host, c.ports),
                peer,
              })
            : undefined;
        const base = {
          service: service.name,
          ...roleOf(service),
          replica,
          container: c.name,
          upToDate: c.configHash === hashes[service.name]?.config,
          ports: c.ports,
          ...(await history),
        };
        if (service.oneShot) {
          const done = c.state === 'exited' && c.exitCode === 0;
          return { ...base, state: done ? 'completed' : c.state, ready: done };
        }
        if (c.state !== 'running') return { ...base, state: c.state, ready: false };
        if (probed === undefined) return { ...base, state: 'running', ready: null };
        const result = await probed;
        return {
          ...base,
          state: 'running',
          ready: result.ready,
          ...(result.ready ? {} : { reason: result.reason }),
        };
      }),
    ),
  );
  return {
    project: stack.project,
    services: rows,
    endpoints: resolveEndpoints(stack, observed, host),
    platform: platformUrls(stack, observed, host),
  };
}
