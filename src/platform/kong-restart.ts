// Kong serves what its database says only as of its last configuration event: it rebuilds its router
// and plugins on its own Admin API writes and on other nodes' cluster events, never on a change made
// behind its back (kong/runloop/handler.lua; db_cache_ttl = 0 caches entities for ever). A restored
// database is such a change, so Kong is started anew on it.
import { deathWatch } from '../engine/container-health.ts';
import type { Engine } from '../engine/engine.ts';
import { firstRunning, type ObservedState } from '../engine/observed-state.ts';
import { probeTargetOf } from '../engine/probe-target.ts';
import { recreateKeepingPorts } from '../engine/recreate-keeping-ports.ts';
import { allOf } from '../readiness/create-probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { Stack } from '../stack/model.ts';
import { serviceWithRole } from '../stack/roles.ts';

/** Replaces the stack's running gateway with a fresh one on the same ports and waits until it is ready. */
export async function restartKong(
  engine: Engine,
  stack: Stack,
  observed: ObservedState,
  host: string,
  signal: AbortSignal,
): Promise<boolean> {
  const kong = serviceWithRole(stack, 'gateway');
  const current = kong && firstRunning(observed, kong.name);
  if (kong === undefined || current === undefined) return false;
  const fresh = await recreateKeepingPorts(engine, current, kong);
  if (kong.ready) {
    await waitUntilReady(allOf(kong.ready.probes), await probeTargetOf(engine, fresh, host), {
      intervalMs: kong.ready.intervalMs,
      timeoutMs: kong.ready.timeoutMs,
      signal,
      whyDead: deathWatch(engine, fresh),
    });
  }
  return true;
}
