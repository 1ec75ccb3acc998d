// Kong serves what its database says only as of its last configuration event: it rebuilds its router
// and plugins on its own Admin API writes and on other nodes' cluster events, never on a change made
// behind its back (kong/runloop/handler.lua; db_cache_ttl = 0 caches entities for ever). A restored
// database is such a change, so Kong is started anew on it.
import type Docker from 'dockerode';
import { probeTargetFor, whyDead } from '../engine/container-ops.ts';
import { containerCreateOptions } from '../engine/container-spec.ts';
import { traitsOf } from '../engine/engine-traits.ts';
import { networkName } from '../engine/names.ts';
import { recreateKeepingPorts } from '../engine/recreate-keeping-ports.ts';
import { firstRunning, type ObservedState } from '../plan/observe.ts';
import { allOf } from '../readiness/create-probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { Stack } from '../stack/model.ts';

/** Replaces the running Kong of a stack with a fresh one on the same ports and waits until it is ready. */
export async function restartKong(
  docker: Docker,
  stack: Stack,
  observed: ObservedState,
  host: string,
  signal: AbortSignal,
): Promise<boolean> {
  const kong = stack.services.kong;
  const current = firstRunning(observed, 'kong');
  if (kong === undefined || current === undefined) return false;
  const options = containerCreateOptions(kong, {
    project: stack.project,
    network: networkName(stack.project),
    replica: 1,
    // The same configuration: the next `up` must see it unchanged.
    configHash: current.configHash,
    extraLabels: current.labels,
    hostGateway: !(await traitsOf(docker)).providesHostName,
  });
  const fresh = await recreateKeepingPorts(docker, docker.getContainer(current.id), options);
  if (kong.ready) {
    await waitUntilReady(allOf(kong.ready.probes), await probeTargetFor(fresh, host), {
      intervalMs: kong.ready.intervalMs,
      timeoutMs: kong.ready.timeoutMs,
      signal,
      whyDead: () => whyDead(fresh),
    });
  }
  return true;
}
