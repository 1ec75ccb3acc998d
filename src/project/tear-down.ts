// Removes a project's labelled resources (stopping containers first, dependents first), and nothing else.
import type Docker from 'dockerode';
import { STOP_GRACE_SECONDS } from '../engine/container-lifecycle.ts';
import { removeImages } from '../engine/image.ts';
import { projectFilter } from '../engine/labels.ts';
import { ignoring, isNotFound, isNotModified } from '../errors.ts';
import { stopWaves } from './stop-order.ts';

export interface TearDownResult {
  readonly containers: number;
  readonly networks: number;
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
  // Stopped, then removed (removal alone would SIGKILL): dependents first (stopWaves), so a service deregisters itself from Consul
  // while Consul still runs, and Postgres and RabbitMQ shut down cleanly. Docker's SIGKILL after the
  // grace period bounds a container that ignores SIGTERM. v: anonymous volumes go with their
  // container; named ones stay unless --volumes.
  const grace = options.stopTimeoutSeconds ?? STOP_GRACE_SECONDS;
  // With no grace at all the forced removal below kills them anyway: skip the stop calls.
  for (const wave of grace > 0 ? stopWaves(containers) : []) {
    await Promise.all(
      wave.map((c) =>
        c.State === 'running'
          ? docker.getContainer(c.Id).stop({ t: grace }).catch(ignoring(isNotModified, isNotFound))
          : undefined,
      ),
    );
  }
  await Promise.all(
    containers.map((c) =>
      docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoring(isNotFound)),
    ),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(ignoring(isNotFound))));
  let volumes = 0;
  if (options.volumes) {
    const list = (await docker.listVolumes({ filters })).Volumes ?? [];
    await Promise.all(list.map((v) => docker.getVolume(v.Name).remove().catch(ignoring(isNotFound))));
    volumes = list.length;
  }
  let images = 0;
  if (options.images) images = await removeImages(docker, await docker.listImages({ filters }));
  return { containers: containers.length, networks: networks.length, volumes, images };
}
