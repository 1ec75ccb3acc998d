// What a generated service talks to in new-service.test.ts, without mkdev's own engine (so a failure
// there points at the template, not at `up`): Consul and RabbitMQ containers on a test network, and
// the Kong stand-in run from source on the host. Also builds the service images, and removes it all.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { hostCaBundle, packContext } from '../../src/engine/build-context.ts';
import { createDockerClient } from '../../src/engine/docker-client.ts';
import { freePort } from '../stand-ins/kong/helpers/postgres.ts';
import { type Env, setupKong } from '../stand-ins/kong/helpers/setup.ts';
import { eventually } from './cli.ts';
import { testImage } from './test-images.ts';

const docker = createDockerClient();
// Through the image map the tests run on (MKDEV_IMAGES, else the committed offline set).
export const CONSUL_IMAGE = await testImage('hashicorp/consul:1.20');
export const RABBITMQ_IMAGE = await testImage('rabbitmq:4.3-management');

export interface PlatformEndpoints {
  network: string;
  gateway: string;
  consulHttp: number;
  rabbitmqUrl: string;
  kongAdmin: string;
  kongAdminFromContainers: string;
  kongProxy: string;
}

export class SamplePlatform {
  readonly suffix = randomBytes(3).toString('hex');
  #created: Docker.Container[] = [];
  #images: string[] = [];
  #kong: Env | undefined;
  #network: Docker.Network | undefined;

  /** Creates and starts a container; removed (with its anonymous volumes) by removeAll(). */
  async run(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    const container = await docker.createContainer({ Labels: { 'mkdev.test': 'new-service' }, ...options });
    this.#created.push(container);
    await container.start();
    return container;
  }

  async start(): Promise<PlatformEndpoints> {
    const name = `mkdev-test-ns-${this.suffix}`;
    const net = await docker.createNetwork({ Name: name, Labels: { 'mkdev.test': 'new-service' } });
    this.#network = net;
    const gateway = (await net.inspect()).IPAM?.Config?.[0]?.Gateway as string;
    const consul = await this.run({
      name: `${name}-consul`,
      Image: CONSUL_IMAGE,
      Cmd: ['agent', '-dev', '-client', '0.0.0.0', '-recursor=127.0.0.11'],
      ExposedPorts: { '8500/tcp': {}, '8600/udp': {} },
      HostConfig: {
        NetworkMode: name,
        PortBindings: {
          '8500/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
          '8600/udp': [{ HostIp: '127.0.0.1', HostPort: '' }],
        },
      },
      NetworkingConfig: { EndpointsConfig: { [name]: { Aliases: ['consul'] } } },
    });
    await this.run({
      name: `${name}-rabbitmq`,
      Image: RABBITMQ_IMAGE,
      Hostname: 'rabbitmq',
      Env: ['RABBITMQ_DEFAULT_USER=mkdev', 'RABBITMQ_DEFAULT_PASS=test-pw', 'RABBITMQ_DEFAULT_VHOST=/'],
      HostConfig: { NetworkMode: name },
      NetworkingConfig: { EndpointsConfig: { [name]: { Aliases: ['rabbitmq'] } } },
    });
    const consulHttp = await hostPort(consul, '8500/tcp');
    const consulDns = await hostPort(consul, '8600/udp');
    // Kong (the stand-in, from source) on the host: its Admin API listens on all interfaces so the
    // services reach it through the network's gateway; it resolves <name>.service.consul via Consul's DNS.
    const adminPort = await freePort();
    this.#kong = await setupKong({
      KONG_ADMIN_LISTEN: `0.0.0.0:${adminPort}`,
      KONG_DNS_RESOLVER: `127.0.0.1:${consulDns}`,
    });
    await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${consulHttp}/v1/status/leader`);
        return ((await res.json()) as string) ? true : undefined;
      },
      60_000,
      'Consul leader',
    );
    return {
      network: name,
      gateway,
      consulHttp,
      rabbitmqUrl: 'amqp://mkdev:test-pw@rabbitmq:5672',
      kongAdmin: `http://127.0.0.1:${adminPort}`,
      kongAdminFromContainers: `http://${gateway}:${adminPort}`,
      kongProxy: this.#kong.kong.proxy,
    };
  }

  /**
   * Builds a service image as `mkdev up` would (context packed with the host CA bundle, image args
   * mapped); its duration (for the log) and how many build steps came from the cache.
   */
  async build(
    context: string,
    tag: string,
    imageArgs: Readonly<Record<string, string>>,
    nocache: boolean,
  ): Promise<{ ms: number; cachedSteps: number }> {
    const started = Date.now();
    const stream = await docker.buildImage(await packContext(context, hostCaBundle()), {
      t: tag,
      buildargs: { ...imageArgs },
      nocache,
      rm: true,
      forcerm: true,
    });
    const output = await new Promise<{ stream?: string; error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (error: Error | null, result: { stream?: string; error?: string }[]) =>
          error ? reject(error) : resolve(result),
      ),
    );
    const failed = output.find((o) => o.error);
    if (failed)
      throw new Error(`build failed: ${failed.error}\n${output.map((o) => o.stream ?? '').join('')}`);
    this.#images.push(tag);
    const cachedSteps = output.filter((o) => /Using cache/.test(o.stream ?? '')).length;
    return { ms: Date.now() - started, cachedSteps };
  }

  async removeAll(): Promise<void> {
    for (const c of this.#created) await c.remove({ force: true, v: true }).catch(() => {});
    await this.#network?.remove().catch(() => {});
    for (const tag of this.#images)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    await this.#kong?.kong.stop();
    if (this.#kong) await this.#kong.pg.stop();
  }
}

export async function hostPort(container: Docker.Container, port: string): Promise<number> {
  const info = await container.inspect();
  return Number(info.NetworkSettings.Ports[port]?.[0]?.HostPort);
}
