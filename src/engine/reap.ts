// Removes the stacks whose owning process is gone. Runs at the start of every mkdev invocation (and
// as `mkdev prune`); cheap when there is nothing to reap: one labelled list call per container, network
// and volume. Images are listed only when a dead stack was found, or for `prune`: the engine lists
// images slowly even when filtered by label (it reads every image: 0.15-0.4 s measured with 150
// images), and a dead stack's images come with its network and containers. An image left over alone
// (its removal refused while another container used it) waits for `mkdev prune` or the next dead stack.
import type Docker from 'dockerode';
import { ignoring, isConflict, isNotFound } from '../errors.ts';
import type { ReapOptions } from './engine.ts';
import { removeImages } from './image.ts';
import { LABEL } from './labels.ts';
import { ownerIsGone, parseOwner } from './owner.ts';

export interface ReapResult {
  readonly projects: readonly string[];
  readonly containers: number;
  readonly networks: number;
  readonly volumes: number;
}

export async function reapOrphans(docker: Docker, options: ReapOptions = {}): Promise<ReapResult> {
  const filters = { label: [LABEL.owner] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  const dead = (labels: Record<string, string> | undefined | null) => {
    const owner = parseOwner(labels?.[LABEL.owner] ?? '');
    return owner !== undefined && ownerIsGone(owner);
  };
  const deadContainers = containers.filter((c) => dead(c.Labels));
  const deadNetworks = networks.filter((n) => dead(n.Labels));
  const deadVolumes = (volumes.Volumes ?? []).filter((v) => dead(v.Labels));
  // 404: already gone; 409: another mkdev process is removing it right now (two invocations reap at once).
  const gone = ignoring(isNotFound, isConflict);
  // Containers first: networks and volumes in use cannot be removed.
  await Promise.all(
    deadContainers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(gone)),
  );
  await Promise.all([
    ...deadNetworks.map((n) => docker.getNetwork(n.Id).remove().catch(gone)),
    ...deadVolumes.map((v) => docker.getVolume(v.Name).remove().catch(gone)),
  ]);
  // Images a dead test stack built for its services: never forced, so one in use elsewhere stays.
  const found = deadContainers.length + deadNetworks.length + deadVolumes.length > 0;
  if (found || options.allImages) {
    const images = await docker.listImages({ filters });
    await removeImages(
      docker,
      images.filter((i) => dead(i.Labels)),
    );
  }
  const projects = new Set(
    [
      ...deadContainers.map((c) => c.Labels),
      ...deadNetworks.map((n) => n.Labels),
      ...deadVolumes.map((v) => v.Labels),
    ].map((l) => l?.[LABEL.project] ?? '?'),
  );
  return {
    projects: [...projects],
    containers: deadContainers.length,
    networks: deadNetworks.length,
    volumes: deadVolumes.length,
  };
}
