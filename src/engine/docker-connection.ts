// The engine port's engine-wide half over dockerode, and where commands get one: the client itself is
// made in docker-client.ts (the one place that knows how the engine is reached).
import type Docker from 'dockerode';
import { connectEngine, createDockerClient } from './docker-client.ts';
import { DockerEngine } from './docker-engine.ts';
import type { EngineConnection, EngineDescription, Labels, Progress, ReapResult } from './engine.ts';
import { engineCall } from './engine-error.ts';
import { portHolder } from './host-ports.ts';
import { imageExists, whyNotPullable } from './image.ts';
import { pushImage } from './push-image.ts';
import { reapOrphans } from './reap.ts';

export class DockerConnection implements EngineConnection {
  readonly docker: Docker;

  constructor(docker: Docker) {
    this.docker = docker;
  }

  project(name: string, labels: Labels = {}): DockerEngine {
    return new DockerEngine(this.docker, this, name, labels);
  }

  reapOrphans(): Promise<ReapResult> {
    return engineCall({ doing: 'removing the stacks of test processes that are gone' }, () =>
      reapOrphans(this.docker),
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
      const info = (await this.docker.info()) as { MemTotal?: number; DockerRootDir?: string };
      return {
        version: version.Version,
        apiVersion: version.ApiVersion,
        memoryBytes: Number(info.MemTotal ?? 0),
        rootDir: info.DockerRootDir ?? '/var/lib/docker',
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
