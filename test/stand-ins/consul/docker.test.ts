import { randomBytes } from 'node:crypto';
import { promises as dns } from 'node:dns';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { requireImage } from '../../../images/lib/test-docker.ts';
import { execIn } from '../../../src/engine/container-ops.ts';
import { createDockerClient } from '../../../src/engine/docker-client.ts';
import { testImage } from '../../support/test-images.ts';
import { waitFor } from './helpers.ts';

// The image the map in use (MKDEV_IMAGES, else the committed offline map) gives for the real one, so a
// stand-in built under another MKDEV_OFFLINE_PREFIX is the one tested.
const IMAGE = await testImage('hashicorp/consul:1.20');
const docker = createDockerClient();
await requireImage(IMAGE);

const suffix = randomBytes(4).toString('hex');
const containers: Docker.Container[] = [];
const volumes: string[] = [];
const networks: Docker.Network[] = [];

afterAll(async () => {
  for (const c of containers) await c.remove({ force: true, v: true }).catch(() => {});
  for (const n of networks) await n.remove().catch(() => {});
  for (const v of volumes)
    await docker
      .getVolume(v)
      .remove()
      .catch(() => {});
});

async function run(
  name: string,
  cmd: string[] | undefined,
  host: Partial<Docker.HostConfig> = {},
  env: string[] = [],
) {
  const c = await docker.createContainer({
    name,
    Image: IMAGE,
    ...(cmd ? { Cmd: cmd } : {}),
    Env: env,
    Labels: { 'mkdev.test': 'consul-standin' },
    ExposedPorts: { '8500/tcp': {}, '8600/udp': {} },
    HostConfig: {
      PortBindings: {
        '8500/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
        '8600/udp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      },
      ...host,
    },
  });
  containers.push(c);
  await c.start();
  const info = await c.inspect();
  const port = (p: string): number => Number(info.NetworkSettings.Ports[p]?.[0]?.HostPort);
  return { c, info, http: port('8500/tcp'), dns: port('8600/udp') };
}

async function leader(http: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${http}/v1/status/leader`);
  return (await res.json()) as string;
}

describe('the consul stand-in image', () => {
  it('runs the default dev command, has curl, reads CONSUL_LOCAL_CONFIG, exits 1 on docker stop', async () => {
    const { c, http } = await run(`cst-dev-${suffix}`, undefined, {}, [
      'CONSUL_LOCAL_CONFIG={"datacenter":"dc7"}',
    ]);
    await waitFor(() => leader(http), 20_000, 200);
    const curl = await execIn(c, ['curl', '-sf', 'http://127.0.0.1:8500/v1/status/leader']);
    expect(curl.exitCode).toBe(0);
    expect(curl.output).toContain('"127.0.0.1:8300"');
    const self = (await (await fetch(`http://127.0.0.1:${http}/v1/agent/self`)).json()) as {
      Config: { Datacenter: string };
    };
    expect(self.Config.Datacenter).toBe('dc7');
    expect((await execIn(c, ['consul', 'version'])).output).toContain('Consul v1.20.');
    // Exit code 1 is the server's own answer to SIGTERM (leave_on_terminate=false); a container that
    // ignored the signal would be killed after the 10 s grace period and exit 137.
    await c.stop({ t: 10 });
    expect((await c.inspect()).State.ExitCode).toBe(1);
  });

  it('server mode on a named volume keeps KV when the container is re-created', async () => {
    const volume = `cst-data-${suffix}`;
    await docker.createVolume({ Name: volume, Labels: { 'mkdev.test': 'consul-standin' } });
    volumes.push(volume);
    const cmd = ['agent', '-server', '-bootstrap-expect=1', '-ui', '-client=0.0.0.0'];
    const binds = { Binds: [`${volume}:/consul/data`] };

    const first = await run(`cst-server-a-${suffix}`, cmd, binds);
    await waitFor(() => leader(first.http), 20_000, 200);
    expect(await leader(first.http)).toMatch(/^\d+\.\d+\.\d+\.\d+:8300$/);
    const put = await fetch(`http://127.0.0.1:${first.http}/v1/kv/kong-migrations`, {
      method: 'PUT',
      body: 'done',
    });
    expect(await put.json()).toBe(true);
    await first.c.remove({ force: true, v: true });

    const second = await run(`cst-server-b-${suffix}`, cmd, binds);
    await waitFor(() => leader(second.http), 20_000, 200);
    const got = await fetch(`http://127.0.0.1:${second.http}/v1/kv/kong-migrations?raw`);
    expect([got.status, await got.text()]).toEqual([200, 'done']);
  });

  it('-recursor=127.0.0.11 resolves other containers on a user-defined network through port 8600', async () => {
    const netName = `cst-net-${suffix}`;
    const network = await docker.createNetwork({ Name: netName, Labels: { 'mkdev.test': 'consul-standin' } });
    networks.push(network);
    const targetName = `cst-target-${suffix}`;
    const target = await run(targetName, ['agent', '-dev'], { NetworkMode: netName, PortBindings: {} });
    const targetIp = target.info.NetworkSettings.Networks[netName]?.IPAddress;
    expect(targetIp).toBeTruthy();

    const consul = await run(
      `cst-dns-${suffix}`,
      ['agent', '-dev', '-client', '0.0.0.0', '-recursor=127.0.0.11'],
      {
        NetworkMode: netName,
      },
    );
    await waitFor(() => leader(consul.http), 20_000, 200);
    const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${consul.dns}`]);
    const ips = await waitFor(() => resolver.resolve4(targetName), 10_000, 200);
    expect(ips).toEqual([targetIp]);
    expect(await resolver.resolve4('consul.service.consul')).toEqual(['127.0.0.1']);
  });
});
