// Removes a project's labelled resources, in parallel, and nothing else.
import type Docker from 'dockerode';
import { projectFilter } from '../engine/labels.ts';

export interface TearDownResult {
  readonly containers: number;
  readonly networks: number;
  readonly volumes: number;
}

export async function tearDown(
  docker: Docker,
  project: string,
  options: { volumes: boolean },
): Promise<TearDownResult> {
  const filters = projectFilter(project);
  const containers = await docker.listContainers({ all: true, filters });
  // SIGKILL after 2 s at most: a dev stack keeps its state in volumes, not in a graceful shutdown.
  await Promise.all(
    containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone)),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(ignoreGone)));
  let volumes = 0;
  if (options.volumes) {
    const list = (await docker.listVolumes({ filters })).Volumes ?? [];
    await Promise.all(list.map((v) => docker.getVolume(v.Name).remove().catch(ignoreGone)));
    volumes = list.length;
  }
  return { containers: containers.length, networks: networks.length, volumes };
}

function ignoreGone(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode === 404) return;
  throw error;
}
