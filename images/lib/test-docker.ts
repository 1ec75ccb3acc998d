/** Helpers for the image contract tests (images/*.test.ts): real engine, unique names, cleanup. */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { createDockerClient } from '../../src/engine/docker-client.ts';
import { resolveImage } from '../../src/testing/containers/resolve-image.ts';
import { imageMapFile } from './image-map.ts';

export const docker = createDockerClient();

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The offline image that stands for an official reference, read from the map the tests run on:
 * MKDEV_IMAGES when set, else the map of the set MKDEV_OFFLINE_PREFIX names (the committed one by
 * default). So the contract tests check whichever set was built, never a hard-coded tag.
 */
export async function offlineImage(official: string): Promise<string> {
  const mapFile = process.env.MKDEV_IMAGES || imageMapFile(repoRoot);
  const ref = await resolveImage(official, mapFile);
  if (ref === official) throw new Error(`${mapFile} maps no image for ${official}`);
  return ref;
}

/** Fails (never skips: a skipped suite would hide a broken image build) when an image is missing. */
export async function requireImage(...refs: string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await docker.getImage(ref).inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) {
        throw new Error(`image ${ref} is missing: run \`npm run images:offline\` first`);
      }
      throw error;
    }
  }
}

export function uniqueName(prefix: string): string {
  return `mkdev-imgtest-${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Polls `probe` every `intervalMs` until it returns a value (not undefined) or throws no more. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Tracks everything a test file creates, so afterAll removes it even when a test failed. */
export class Resources {
  private readonly containers: string[] = [];
  private readonly volumes: string[] = [];
  private readonly networks: string[] = [];

  async volume(): Promise<string> {
    const name = uniqueName('vol');
    await docker.createVolume({ Name: name });
    this.volumes.push(name);
    return name;
  }

  async network(): Promise<string> {
    const name = uniqueName('net');
    await docker.createNetwork({ Name: name });
    this.networks.push(name);
    return name;
  }

  /** Creates and starts a container; `ports` are published on random 127.0.0.1 ports. */
  async run(options: Docker.ContainerCreateOptions & { ports?: string[] }): Promise<Docker.Container> {
    const { ports = [], ...create } = options;
    const name = create.name ?? uniqueName('ctr');
    const portBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const port of ports) portBindings[port] = [{ HostIp: '127.0.0.1', HostPort: '' }];
    const container = await docker.createContainer({
      ...create,
      name,
      ExposedPorts: Object.fromEntries(ports.map((port) => [port, {}])),
      HostConfig: { ...create.HostConfig, PortBindings: portBindings },
    });
    this.containers.push(container.id);
    await container.start();
    return container;
  }

  /** Stops (with the image's stop signal) and removes a container; returns the stop time in ms. */
  async remove(container: Docker.Container): Promise<number> {
    const t0 = Date.now();
    await container.stop({ t: 30 }).catch(() => undefined);
    const ms = Date.now() - t0;
    // v: anonymous volumes only (a named volume outlives its container, as the tests need).
    await container.remove({ force: true, v: true });
    const index = this.containers.indexOf(container.id);
    if (index >= 0) this.containers.splice(index, 1);
    return ms;
  }

  async cleanup(): Promise<void> {
    for (const id of this.containers.splice(0)) {
      await docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    for (const name of this.networks.splice(0)) {
      await docker
        .getNetwork(name)
        .remove()
        .catch(() => undefined);
    }
    for (const name of this.volumes.splice(0)) {
      await docker
        .getVolume(name)
        .remove()
        .catch(() => undefined);
    }
  }
}

/** The 127.0.0.1 host port published for a container port such as '5432/tcp'. */
export async function hostPort(container: Docker.Container, port: string): Promise<number> {
  const info = await container.inspect();
  const binding = info.NetworkSettings.Ports?.[port]?.[0];
  if (!binding) throw new Error(`port ${port} of ${info.Name} is not published`);
  return Number(binding.HostPort);
}
