// The containers a host run stands in for: found by label, with their address on the project network
// (where Consul lists them), and retired without a gap: out of Consul first, so that Kong stops
// routing to them, then stopped.
import type Docker from 'dockerode';
import { LABEL } from '../engine/labels.ts';
import { networkName } from '../engine/names.ts';
import { deregisterAt, instancesAt } from './consul-instances.ts';

export interface ServiceContainer {
  readonly id: string;
  /** Its address on the project network, when it has one. */
  readonly address: string | undefined;
}

/** The service's running containers. */
export async function runningContainers(
  docker: Docker,
  project: string,
  service: string,
): Promise<ServiceContainer[]> {
  const list = await docker.listContainers({
    filters: { label: [`${LABEL.project}=${project}`, `${LABEL.service}=${service}`] },
  });
  return list.map((c) => ({
    id: c.Id,
    address: c.NetworkSettings?.Networks?.[networkName(project)]?.IPAddress || undefined,
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

/** Takes the containers out of Consul, then stops them (each also deregisters itself, harmlessly again). */
export async function retireContainers(
  docker: Docker,
  containers: readonly ServiceContainer[],
  consulUrl: string | undefined,
): Promise<void> {
  if (consulUrl !== undefined) {
    await Promise.all(
      containers.flatMap((c) => (c.address === undefined ? [] : [deregisterAt(consulUrl, c.address)])),
    );
  }
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.id)
        .stop({ t: 10 })
        .catch(() => {}),
    ),
  );
}
