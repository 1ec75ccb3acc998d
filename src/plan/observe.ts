// Observed state: what the engine has for a project, read through labels and nothing else.
import type Docker from 'dockerode';
import { LABEL, projectFilter } from '../engine/labels.ts';
import { networkName } from '../engine/names.ts';

export interface ObservedContainer {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly replica: number;
  readonly configHash: string;
  readonly state: string;
  /** Exit code, when the container has exited. */
  readonly exitCode: number | undefined;
  readonly oneShot: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Published ports: "8001/tcp" -> host port. */
  readonly ports: Readonly<Record<string, number>>;
}

export interface ObservedState {
  readonly containers: readonly ObservedContainer[];
  readonly networkExists: boolean;
  readonly volumes: ReadonlySet<string>;
  readonly images: ReadonlySet<string>;
  /** For images mkdev built: tag -> the hash of what it was built from (label dev.mkdev.build-hash). */
  readonly builtFor: ReadonlyMap<string, string>;
}

/** A service's first replica when it is running: where a service is reached from outside. */
export function firstRunning(observed: ObservedState, service: string): ObservedContainer | undefined {
  return observed.containers.find((c) => c.service === service && c.replica === 1 && c.state === 'running');
}

export async function observeProject(docker: Docker, project: string): Promise<ObservedState> {
  const filters = projectFilter(project);
  const [containers, networks, volumes, images] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters: { name: [networkName(project)] } }),
    docker.listVolumes({ filters }),
    docker.listImages(),
  ]);
  return {
    containers: containers.map((c) => {
      const labels = c.Labels ?? {};
      const exited = /Exited \((-?\d+)\)/.exec(c.Status ?? '');
      const ports: Record<string, number> = {};
      for (const p of c.Ports ?? []) {
        if (p.PublicPort) ports[`${p.PrivatePort}/${p.Type}`] = p.PublicPort;
      }
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
      };
    }),
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
