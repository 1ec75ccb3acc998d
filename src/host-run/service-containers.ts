// The containers a host run stands in for: found by label, with their address on the project network
// (where Consul lists them), and retired without a gap: out of Consul first, so that Kong stops
// routing to them, then parked (park.ts) or stopped.
import type { ContainerRef, Engine } from '../engine/engine.ts';
import type { Plan } from '../plan/plan.ts';
import { deregisterAt, drained, instancesAt } from './consul-instances.ts';
import { canPark, type ParkableContainer, park } from './park.ts';

export interface ServiceContainer extends ParkableContainer {
  /** Its address on the project network, when it has one. */
  readonly address: string | undefined;
}

/** How long a parked service's process may take to leave before its container is stopped instead. */
const PARK_TIMEOUT_MS = 30_000;

/** The service's running containers. */
export async function runningContainers(engine: Engine, service: string): Promise<ServiceContainer[]> {
  const list = (await engine.containers(service)).filter((c) => c.state === 'running');
  return list.map((c) => ({
    id: c.id,
    service: c.service,
    labels: c.labels,
    address: c.address || undefined,
  }));
}

/** Whether Consul lists any of these containers (so the host process is expected to be listed too). */
export async function listedInConsul(
  consulUrl: string,
  containers: readonly ServiceContainer[],
): Promise<boolean> {
  for (const c of containers) {
    if (c.address !== undefined && (await instancesAt(consulUrl, c.address)).length > 0) return true;
  }
  return false;
}

/**
 * Takes the containers out of Consul, waits until Kong no longer sends them requests, then parks or
 * stops them (each also deregisters itself, harmlessly again).
 */
export async function retireContainers(
  engine: Engine,
  containers: readonly ServiceContainer[],
  consulUrl: string | undefined,
  consulName: string,
): Promise<void> {
  if (consulUrl !== undefined) {
    const addresses = containers.flatMap((c) => (c.address === undefined ? [] : [c.address]));
    await Promise.all(addresses.map((address) => deregisterAt(consulUrl, address)));
    await drained(consulUrl, consulName, addresses);
  }
  await Promise.all(
    containers.map((c) => (canPark(c) ? park(engine, c, PARK_TIMEOUT_MS) : engine.stop(c)).catch(() => {})),
  );
}

/**
 * The containers of `service` that `plan` keeps as they run, among the retired ones that can park: their service's
 * process may start again as soon as the plan is made (the executor's own `keep` does nothing to them,
 * and its readiness probes wait for that process). Not one the plan recreates: it is stopped anyway.
 */
export function parkedAndKept(
  plan: Plan,
  service: string,
  parked: readonly ServiceContainer[],
): ServiceContainer[] {
  const kept = new Set(
    (plan.services[service]?.steps ?? []).flatMap((step) => (step.kind === 'keep' ? [step.containerId] : [])),
  );
  // Only those that can park: one stopped instead (it could not) is the executor's to start.
  return parked.filter((c) => canPark(c) && kept.has(c.id));
}

/**
 * The containers of `service` that `plan` only starts again (unchanged, stopped), when the plan changes
 * nothing else: those may start before the executor has checked the dependencies (they run: the host
 * process used them), so that the service's own boot, most of the swap back, overlaps those checks.
 * None when any is to be recreated (out of date): an old container started only to be replaced would
 * serve and register for nothing, and be stopped in the middle of its boot.
 */
export function startsAsTheyAre(plan: Plan, service: string): ContainerRef[] {
  const own = plan.services[service];
  if (own === undefined || own.steps.length === 0) return [];
  const othersKept = Object.entries(plan.services).every(
    ([name, other]) => name === service || other.steps.every((step) => step.kind === 'keep'),
  );
  if (!othersKept) return [];
  const ids = own.steps.flatMap((step) => (step.kind === 'start' ? [step.containerId] : []));
  return ids.length === own.steps.length ? ids.map((id) => ({ id, service })) : [];
}
