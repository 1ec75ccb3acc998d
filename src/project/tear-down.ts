// Removes a project's labelled resources (stopping containers first, dependents first), and nothing else.
import type Docker from 'dockerode';
import { STOP_GRACE_SECONDS } from '../engine/container-lifecycle.ts';
import { removeImages } from '../engine/image.ts';
import { projectFilter } from '../engine/labels.ts';
import { removeProjectNetwork } from '../engine/remove-network.ts';
import { ignoring, isNotFound, isNotModified } from '../errors.ts';
import { stopDependentsFirst } from './stop-order.ts';

export interface TearDownResult {
  readonly containers: number;
  readonly networks: number;
  /** Networks the engine would not remove though nothing is attached (engine/remove-network.ts). */
  readonly stuckNetworks: readonly string[];
  readonly volumes: number;
  readonly images: number;
}

export interface TearDownOptions {
  readonly volumes: boolean;
  /** Also the images mkdev built for the project (throwaway test stacks; `down` keeps them). */
  readonly images?: boolean;
  readonly stopTimeoutSeconds?: number;
}

/**
 * A throwaway stack goes with its data, so nothing is gained by graceful shutdowns (RabbitMQ alone
 * takes ~6 s): killed at once, with its volumes and the images it built.
 */
export const THROWAWAY: TearDownOptions = { volumes: true, images: true, stopTimeoutSeconds: 0 };

export async function tearDown(
  docker: Docker,
  project: string,
  options: TearDownOptions,
): Promise<TearDownResult> {
  const filters = projectFilter(project);
  const containers = await docker.listContainers({ all: true, filters });
  // Stopped, then removed (removal alone would SIGKILL): each once its dependents have stopped
  // (stopDependentsFirst), so a service deregisters itself from Consul while Consul still runs, and
  // Postgres and RabbitMQ shut down cleanly. Docker's SIGKILL after the grace period bounds a
  // container that ignores SIGTERM. v: anonymous volumes go with their container; named ones stay
  // unless --volumes. With no grace at all the forced removal kills them: no stop calls.
  const grace = options.stopTimeoutSeconds ?? STOP_GRACE_SECONDS;
  const remove = (c: Docker.ContainerInfo) =>
    docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoring(isNotFound));
  // A dependency waits for its dependents' stop, not their removal, so Postgres does not wait for the engine to delete Kong.
  const removals: Promise<unknown>[] = [];
  if (grace === 0) removals.push(...containers.map(remove));
  else
    await stopDependentsFirst(containers, async (c) => {
      if (c.State === 'running') {
        await docker.getContainer(c.Id).stop({ t: grace }).catch(ignoring(isNotModified, isNotFound));
      }
      removals.push(remove(c));
    });
  await Promise.all(removals);
  const networks = await docker.listNetworks({ filters });
  const outcomes = await Promise.all(networks.map((n) => removeProjectNetwork(docker, n.Id, project)));
  const stuckNetworks = networks.filter((_, i) => outcomes[i] === 'stuck').map((n) => n.Name);
  let volumes = 0;
  if (options.volumes) {
    const list = (await docker.listVolumes({ filters })).Volumes ?? [];
    await Promise.all(list.map((v) => docker.getVolume(v.Name).remove().catch(ignoring(isNotFound))));
    volumes = list.length;
  }
  let images = 0;
  if (options.images) images = await removeImages(docker, await docker.listImages({ filters }));
  return {
    containers: containers.length,
    networks: networks.length - stuckNetworks.length,
    stuckNetworks,
    volumes,
    images,
  };
}
