// The project's state as the engine lists it, by label only: one listing per kind of resource.
import type Docker from 'dockerode';
import { LABEL, projectFilter } from './labels.ts';
import { networkName } from './names.ts';
import { byServiceAndReplica, type ObservedContainer, type ObservedState } from './observed-state.ts';

export function observedContainer(c: Docker.ContainerInfo): ObservedContainer {
  const labels = c.Labels ?? {};
  const exited = /Exited \((-?\d+)\)/.exec(c.Status ?? '');
  const ports: Record<string, number> = {};
  for (const p of c.Ports ?? []) {
    if (p.PublicPort) ports[`${p.PrivatePort}/${p.Type}`] = p.PublicPort;
  }
  const project = labels[LABEL.project] ?? '';
  const address = c.NetworkSettings?.Networks?.[networkName(project)]?.IPAddress;
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    service: labels[LABEL.service] ?? '',
    replica: Number(labels[LABEL.replica] ?? '1'),
    configHash: labels[LABEL.configHash] ?? '',
    state: c.State ?? 'unknown',
    exitCode: exited ? Number(exited[1]) : undefined,
    oneShot: labels[LABEL.oneShot] === 'true',
    labels,
    ports,
    image: c.ImageID,
    volumes: (c.Mounts ?? []).flatMap((m) => (m.Type === 'volume' && m.Name ? [m.Name] : [])),
    ...(address ? { address } : {}),
  };
}

/** The project's containers (one service's, when named), by service and replica. */
export async function listContainers(
  docker: Docker,
  project: string,
  service?: string,
): Promise<ObservedContainer[]> {
  const label = [
    `${LABEL.project}=${project}`,
    ...(service === undefined ? [] : [`${LABEL.service}=${service}`]),
  ];
  const list = await docker.listContainers({ all: true, filters: { label } });
  return list.map(observedContainer).sort(byServiceAndReplica);
}

export async function observeProject(docker: Docker, project: string): Promise<ObservedState> {
  const filters = projectFilter(project);
  const [containers, networks, volumes, images] = await Promise.all([
    listContainers(docker, project),
    docker.listNetworks({ filters: { name: [networkName(project)] } }),
    docker.listVolumes({ filters }),
    docker.listImages(),
  ]);
  return {
    containers,
    networkExists: networks.some((n) => n.Name === networkName(project)),
    volumes: new Set((volumes.Volumes ?? []).map((v) => v.Name)),
    images: new Set(images.flatMap((i) => i.RepoTags ?? []).concat(images.map((i) => i.Id))),
    builtFor: new Map(
      images.flatMap((i) => {
        const hash = i.Labels?.[LABEL.buildHash];
        return hash ? (i.RepoTags ?? []).map((tag) => [tag, hash] as const) : [];
      }),
    ),
  };
}
