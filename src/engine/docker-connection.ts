// The engine port's engine-wide half over dockerode, and where commands get one: the client itself is
// made in docker-client.ts (the one place that knows how the engine is reached).
import type Docker from 'dockerode';
import { isNotFound } from '../errors.ts';
import { connectEngine, createDockerClient, currentEngine } from './docker-client.ts';
import { DockerEngine } from './docker-engine.ts';
import type {
  EngineConnection,
  EngineDescription,
  EngineEndpoint,
  EngineTraits,
  Labels,
  Progress,
  ReapOptions,
  ReapResult,
  ScriptRun,
  VolumeDetails,
  VolumeRead,
} from './engine.ts';
import { engineCall } from './engine-error.ts';
import { type EngineInfo, engineTraits, traitsOf } from './engine-traits.ts';
import { portHolder } from './host-ports.ts';
import { imageExists, pullImage, whyNotPullable } from './image.ts';
import type { PullProgress } from './pull-progress.ts';
import { pushImage } from './push-image.ts';
import { readVolumeFiles } from './read-volume.ts';
import { reapOrphans } from './reap.ts';
import { existingVolume, runScriptOnVolumes } from './volume-ops.ts';

export class DockerConnection implements EngineConnection {
  readonly docker: Docker;
  readonly endpoint: EngineEndpoint;

  constructor(docker: Docker, endpoint: EngineEndpoint = currentEngine().endpoint) {
    this.docker = docker;
    this.endpoint = endpoint;
  }

  traits(): Promise<EngineTraits> {
    return engineCall({ doing: 'asking the engine what it is' }, () => traitsOf(this.docker));
  }

  pullImage(
    reference: string,
    signal?: AbortSignal,
    onProgress: (progress: PullProgress) => void = () => {},
  ): Promise<void> {
    return pullImage(this.docker, reference, onProgress, signal ? { signal } : {});
  }

  imageEnv(reference: string): Promise<readonly string[] | undefined> {
    return engineCall({ doing: `inspecting the image ${reference}` }, () =>
      this.docker
        .getImage(reference)
        .inspect()
        .then(
          (info) => info.Config?.Env ?? [],
          (error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)),
        ),
    );
  }

  volume(name: string): Promise<VolumeDetails | undefined> {
    return engineCall({ doing: `inspecting the volume ${name}` }, async () => {
      const info = await existingVolume(this.docker, name);
      return info && { name: info.Name, labels: info.Labels ?? {} };
    });
  }

  volumesLabelled(label: string, value: string): Promise<VolumeDetails[]> {
    return engineCall({ doing: `listing the volumes labelled ${label}=${value}` }, async () => {
      const list =
        (await this.docker.listVolumes({ filters: { label: [`${label}=${value}`] } })).Volumes ?? [];
      return list.map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
    });
  }

  createVolume(name: string, labels: Labels): Promise<void> {
    return engineCall({ doing: `creating the volume ${name}` }, async () => {
      await this.docker.createVolume({ Name: name, Labels: { ...labels } });
    });
  }

  removeVolume(name: string): Promise<void> {
    return engineCall({ doing: `removing the volume ${name}` }, () =>
      this.docker
        .getVolume(name)
        .remove()
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        }),
    );
  }

  readVolumeFiles(read: VolumeRead): Promise<Map<string, string | undefined>> {
    return engineCall({ doing: `reading the volume ${read.volume}` }, () =>
      readVolumeFiles(this.docker, read),
    );
  }

  runOnVolumes(run: ScriptRun, what: string): Promise<string> {
    return engineCall({ doing: what }, () => runScriptOnVolumes(this.docker, run, what));
  }

  project(name: string, labels: Labels = {}): DockerEngine {
    return new DockerEngine(this.docker, this, name, labels);
  }

  reapOrphans(options?: ReapOptions): Promise<ReapResult> {
    return engineCall({ doing: 'removing the stacks of test processes that are gone' }, () =>
      reapOrphans(this.docker, options),
    );
  }

  portHolder(port: number): Promise<string | undefined> {
    return portHolder(this.docker, port);
  }

  imagePresent(reference: string): Promise<boolean> {
    return imageExists(this.docker, reference);
  }

  whyNotPullable(reference: string): Promise<string | undefined> {
    return whyNotPullable(reference);
  }

  pushImage(reference: string, service: string, onProgress: Progress): Promise<void> {
    return pushImage(this.docker, reference, service, onProgress);
  }

  describe(): Promise<EngineDescription> {
    return engineCall({ doing: 'asking the engine for its version' }, async () => {
      const version = await this.docker.version();
      const info = (await this.docker.info()) as EngineInfo & { MemTotal?: number; DockerRootDir?: string };
      return {
        version: version.Version,
        apiVersion: version.ApiVersion,
        memoryBytes: Number(info.MemTotal ?? 0),
        rootDir: info.DockerRootDir ?? '/var/lib/docker',
        product: engineTraits(info).product,
      };
    });
  }
}

/** The engine for a command: one that answered, or a UserError saying where mkdev looked and what to do. */
export async function openEngine(): Promise<EngineConnection> {
  return new DockerConnection(await connectEngine());
}

/** The engine without asking it first: `doctor` reports one that does not answer as a finding. */
export function engineUnchecked(): EngineConnection {
  return new DockerConnection(createDockerClient());
}
