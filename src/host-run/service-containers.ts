// The containers a host run stands in for: found by label, with their address on the project network
// (where Consul lists them), and retired without a gap: out of Consul first, so that Kong stops
// routing to them, then stopped.
import type { ContainerRef, Engine } from '../engine/engine.ts';
import { deregisterAt, drained, instancesAt } from './consul-instances.ts';

export interface ServiceContainer extends ContainerRef {
  /** Its address on the project network, when it has one. */
  readonly address: string | undefined;
}

/** The service's running containers. */
export async function runningContainers(engine: Engine, service: string): Promise<ServiceContainer[]> {
  const list = (await engine.containers(service)).filter((c) => c.state === 'running');
  return list.map((c) => ({ id: c.id, service: c.service, address: c.address || undefined }));
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
 * Takes the containers out of Consul, waits until Kong no longer sends them requests, then stops them
 * (each also deregisters itself, harmlessly again).
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
  await Promise.all(containers.map((c) => engine.stop(c).catch(() => {})));
}

/**
 * Starts the retired containers again as they are, before anything is planned: the service's own boot
 * (seconds) then overlaps the bring-up's observing, planning and checks of its dependencies, which
 * recreates them if they are out of date. A container gone meanwhile is left to the bring-up.
 */
export async function restartRetired(engine: Engine, containers: readonly ServiceContainer[]): Promise<void> {
  await Promise.all(containers.map((c) => engine.start(c).catch(() => {})));
}
