// Kong reaches Postgres and every service through its DNS client, whose only server is Consul's IP as
// it was when Kong started (stacks/microkubes.yaml, Kong's entrypoint; kong/globalpatches.lua:553-564,
// test/stand-ins/kong/PARITY.md). So:
// - Consul restarted in place (a crash, its restart policy): same container, same IP; Kong rides it
//   out without a restart.
// - Consul recreated with another IP: Kong cannot learn it (dns_resolver is read once, at start), so
//   `mkdev up` recreates Kong with it (depends_on consul: restart: true).
// - Postgres recreated with another IP: Kong holds Docker's answer for its TTL (600 s); `mkdev up`
//   re-runs the migrations and so recreates Kong.
// The "another IP" is forced by a container that takes the freed address before `mkdev up` runs.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkName } from '../src/engine/names.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';
import { crashService, restartedByEngine, serviceContainer } from './support/crash.ts';
import { testImage } from './support/test-images.ts';

const project = testProject('recover');
const network = networkName(project.name);
const fillers: string[] = [];
let env: Record<string, string> = {};

const ipOf = async (service: string) =>
  (await serviceContainer(project.name, service)).NetworkSettings.Networks[network]?.IPAddress ?? '';

async function http(method: string, url: string, body?: unknown) {
  const res = await request(url, {
    method: method as 'GET',
    headersTimeout: 30_000,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** Registers Kong's own Admin API in Consul (its current IP) and routes /via-consul to it by name. */
async function routeThroughConsul() {
  const put = await http('PUT', `${env.MKDEV_CONSUL_URL}/v1/agent/service/register`, {
    ID: 'kong-admin',
    Name: 'kong-admin',
    Address: await ipOf('kong'),
    Port: 8001,
  });
  expect(put.status, put.text).toBe(200);
  for (const [path, body] of [
    ['/services/via-consul', { host: 'kong-admin.service.consul', port: 80 }],
    ['/routes/via-consul', { paths: ['/via-consul'], service: { name: 'via-consul' } }],
  ] as const) {
    const r = await http('PUT', `${env.MKDEV_KONG_ADMIN_URL}${path}`, body);
    expect(r.status, r.text).toBe(200);
  }
}

/** Kong answers: a route through Consul DNS, its Admin API (Postgres), its readiness. */
async function kongWorks(what: string) {
  await eventually(
    async () => {
      env = parseEnv((await project.run(['env'])).stdout);
      const kong = await serviceContainer(project.name, 'kong');
      const status = kong.NetworkSettings.Ports['8100/tcp']?.[0]?.HostPort;
      const [proxied, services, ready] = await Promise.all([
        http('GET', `${env.MKDEV_KONG_PROXY_URL}/via-consul/services/via-consul`),
        http('GET', `${env.MKDEV_KONG_ADMIN_URL}/services`),
        http('GET', `http://127.0.0.1:${status}/status/ready`),
      ]);
      return proxied.status === 200 && services.status === 200 && ready.status === 200 ? true : undefined;
    },
    180_000,
    what,
  );
}

/** A container on the project network that takes the lowest free address: the one just freed. */
async function takeFreedAddress(name: string) {
  const filler = await docker.createContainer({
    name: `${project.name}-${name}`,
    Image: await testImage('node:24-bookworm-slim'),
    Cmd: ['sleep', '600'],
    HostConfig: { NetworkMode: network },
  });
  fillers.push(filler.id);
  await filler.start();
}

async function removeService(service: string) {
  await docker.getContainer((await serviceContainer(project.name, service)).Id).remove({ force: true });
}

describe("Kong's DNS after Consul or Postgres change", () => {
  beforeAll(async () => {
    const up = await project.run(['up', 'kong'], { timeout: 600_000 });
    expect(up.exitCode, up.all).toBe(0);
    env = parseEnv((await project.run(['env'])).stdout);
    await routeThroughConsul();
    await kongWorks('Kong routing through Consul');
  }, 900_000);
  afterAll(async () => {
    for (const id of fillers)
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {});
    await removeProject(project.name);
  });

  it('Consul restarted in place: Kong recovers without a restart', async () => {
    const kongBefore = await serviceContainer(project.name, 'kong');
    const consulIp = await ipOf('consul');
    await restartedByEngine(await crashService(project.name, 'consul'), 120_000);
    expect(await ipOf('consul')).toBe(consulIp);
    await kongWorks('Kong working again after Consul restarted');
    const kongAfter = await serviceContainer(project.name, 'kong');
    expect([kongAfter.Id, kongAfter.RestartCount]).toEqual([kongBefore.Id, kongBefore.RestartCount]);
  }, 600_000);

  it('Consul recreated with another IP: mkdev up recreates Kong with it', async () => {
    const kongBefore = (await serviceContainer(project.name, 'kong')).Id;
    const consulIp = await ipOf('consul');
    await removeService('consul');
    await takeFreedAddress('filler-consul');
    const up = await project.run(['up', 'kong'], { timeout: 600_000 });
    expect(up.exitCode, up.all).toBe(0);
    expect(await ipOf('consul')).not.toBe(consulIp);
    expect(up.stdout + up.stderr).toContain('consul changed (depends_on restart: true)');
    expect((await serviceContainer(project.name, 'kong')).Id).not.toBe(kongBefore);
    env = parseEnv((await project.run(['env'])).stdout);
    // Consul's volume kept the registration, with the old Kong's address
    await routeThroughConsul();
    await kongWorks('Kong working with the new Consul');
  }, 900_000);

  it('Postgres recreated with another IP: mkdev up runs the migrations again and recreates Kong', async () => {
    const kongBefore = (await serviceContainer(project.name, 'kong')).Id;
    const postgresIp = await ipOf('postgres');
    await removeService('postgres');
    await takeFreedAddress('filler-postgres');
    const up = await project.run(['up', 'kong'], { timeout: 600_000 });
    expect(up.exitCode, up.all).toBe(0);
    expect(await ipOf('postgres')).not.toBe(postgresIp);
    expect((await serviceContainer(project.name, 'kong')).Id).not.toBe(kongBefore);
    env = parseEnv((await project.run(['env'])).stdout);
    await routeThroughConsul();
    await kongWorks('Kong working with the new Postgres');
  }, 900_000);
});
