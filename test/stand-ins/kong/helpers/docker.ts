// Small dockerode helpers: uniquely named resources, removed in afterAll.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { kongNextStandin } from '../../../../images/lib/image-map.ts';
import { offlineImage } from '../../../../images/lib/test-docker.ts';
import { allLogs } from '../../../../src/engine/container-ops.ts';
import { createDockerClient } from '../../../../src/engine/docker-client.ts';
import { waitFor } from './kong.ts';

export const docker = createDockerClient();
/** The Kong stand-in under test: kong:3.9 of the image map the tests run on (MKDEV_IMAGES, else the prefix's). */
export const KONG_IMAGE = await offlineImage('kong:3.9');
/** The same stand-in with a newer schema (images/recipes.ts kong-standin-next), of the same set. */
export const KONG_NEXT_IMAGE = kongNextStandin(KONG_IMAGE.slice(0, KONG_IMAGE.indexOf('/')));
/** The rest of the same image set (a set built under another prefix carries its own stand-ins). */
export const PG_IMAGE = await offlineImage('postgres:17');
export const CONSUL_IMAGE = await offlineImage('hashicorp/consul:1.20');
export const NODE_IMAGE = await offlineImage('node:24-bookworm-slim');

export class Resources {
  readonly id = randomBytes(4).toString('hex');
  private readonly containers: Docker.Container[] = [];
  private readonly networks: Docker.Network[] = [];

  name(base: string): string {
    return `kong-standin-test-${base}-${this.id}`;
  }

  async network(): Promise<string> {
    const name = this.name('net');
    this.networks.push(await docker.createNetwork({ Name: name, Labels: { 'mkdev.test': 'kong-standin' } }));
    return name;
  }

  async container(
    base: string,
    opts: Docker.ContainerCreateOptions & { network: string },
  ): Promise<Docker.Container> {
    const { network, ...rest } = opts;
    const c = await docker.createContainer({
      name: this.name(base),
      Labels: { 'mkdev.test': 'kong-standin' },
      ...rest,
      HostConfig: { NetworkMode: network, ...(rest.HostConfig ?? {}) },
    });
    this.containers.push(c);
    return c;
  }

  /** Kong's Postgres (user kong, password kongpass, database kong) on `network`, created, not started. */
  kongDatabase(network: string): Promise<Docker.Container> {
    return this.container('pg', {
      Image: PG_IMAGE,
      Env: ['POSTGRES_USER=kong', 'POSTGRES_PASSWORD=kongpass', 'POSTGRES_DB=kong'],
      network,
    });
  }

  /** `kong migrations bootstrap` with `env`, retried until it passes: Kong's own way to wait for Postgres. */
  bootstrapKong(env: string[], network: string): Promise<{ code: number; logs: string }> {
    return waitFor(
      'postgres + bootstrap',
      async () => {
        const r = await this.run('bootstrap', {
          Image: KONG_IMAGE,
          Cmd: ['kong', 'migrations', 'bootstrap'],
          Env: env,
          network,
        });
        return r.code === 0 ? r : undefined;
      },
      90_000,
    );
  }

  /** Runs a container to completion; returns its exit code and logs. */
  async run(
    base: string,
    opts: Docker.ContainerCreateOptions & { network: string },
  ): Promise<{ code: number; logs: string }> {
    const c = await this.container(`${base}-${randomBytes(2).toString('hex')}`, opts);
    await c.start();
    const { StatusCode } = await c.wait();
    return { code: StatusCode, logs: await allLogs(c) };
  }

  async cleanup(): Promise<void> {
    for (const c of this.containers) await c.remove({ force: true, v: true }).catch(() => {});
    for (const n of this.networks) await n.remove().catch(() => {});
  }
}

export async function ipOf(c: Docker.Container, network: string): Promise<string> {
  const info = await c.inspect();
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new Error(`no IP on ${network}`);
  return ip;
}

/** Runs a command in a running container; returns exit code and combined output. */
/** HTTP GET from inside a container with bash's /dev/tcp (the Kong image has no curl). */
export function bashGet(port: number, path: string): string[] {
  return [
    'bash',
    '-c',
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && cat <&3`,
  ];
}
