// `mkdev new-service` end to end: the CLI's refusals and exit codes, then each generated service built
// for real (dockerode, offline base images), its own unit tests run, and the container run against the
// Consul stand-in, RabbitMQ and the Kong stand-in: it registers, the verification flow works through
// Kong's proxy, and SIGTERM deregisters it from Consul and exits 0.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCaBundle, packContext } from '../src/engine/build-context.ts';
import { freePort } from './stand-ins/kong/helpers/postgres.ts';
import { type Env, setupKong } from './stand-ins/kong/helpers/setup.ts';
import { BIN } from './support/cli.ts';

const docker = new Docker();
const BASE_IMAGES = { ts: 'mkdev-offline/node:24', python: 'mkdev-offline/python:3.11' } as const;
const CONSUL_IMAGE = 'mkdev-offline/consul-standin:1.20';
const RABBITMQ_IMAGE = 'mkdev-offline/rabbitmq:3.10';
const suffix = randomBytes(3).toString('hex');
const hasImage = (ref: string) =>
  docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
const haveImages = (
  await Promise.all([...Object.values(BASE_IMAGES), CONSUL_IMAGE, RABBITMQ_IMAGE].map(hasImage))
).every(Boolean);

function cli(args: string[], cwd: string) {
  return execa(process.execPath, [BIN, 'new-service', ...args], {
    cwd,
    reject: false,
    all: true,
    env: { NO_COLOR: '1' },
  });
}

function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies in assertions
async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('mkdev new-service (CLI)', () => {
  it.each([
    [['Orders'], 2, 'not a valid service name'],
    [['kong'], 1, "stack's own services"],
    [['orders', '--lang', 'go'], 2, "unknown --lang 'go'"],
    [['orders', '--path', 'orders'], 2, "--path must start with '/'"],
    [['orders', '--port', '0'], 2, '--port must be a port number'],
    [[], 2, 'missing the service name'],
    [['a', 'b'], 2, 'expected one service name'],
    [['orders', '--bogus'], 2, "Unknown option '--bogus'"],
  ])('refuses %j with exit %i, writing nothing', async (args, code, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    writeFileSync(join(dir, 'mkdev.yaml'), '# mine\nname: p\n');
    const before = listing(dir);
    const result = await cli(args, dir);
    expect(result.exitCode, result.all).toBe(code);
    expect(result.all).toContain(message);
    expect(listing(dir)).toEqual(before);
    expect(readFileSync(join(dir, 'mkdev.yaml'), 'utf8')).toBe('# mine\nname: p\n');
  });

  it('refuses an existing services/<name> with exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    expect((await cli(['orders'], dir)).exitCode).toBe(0);
    const before = listing(dir);
    const again = await cli(['orders', '--lang', 'python'], dir);
    expect(again.exitCode).toBe(1);
    expect(again.all).toContain('already');
    expect(listing(dir)).toEqual(before);
  });

  it('writes the service and prints the next steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    const result = await cli(['users', '--lang', 'python', '--path', '/api/users', '--port', '9000'], dir);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('wrote services/users/ (python');
    expect(result.stdout).toContain("created mkdev.yaml: service 'users', route /api/users -> port 9000");
    expect(result.stdout).toContain('mkdev up');
    expect(result.stdout).toContain(
      '${MKDEV_KONG_PROXY_URL}/api/users/verifications'.replace(
        '${MKDEV_KONG_PROXY_URL}',
        '$MKDEV_KONG_PROXY_URL',
      ),
    );
    expect(listing(dir)).toContain(join('services', 'users', 'main.py'));
  });
});

/** The stack a generated service talks to: Consul and RabbitMQ containers, the Kong stand-in on the host. */
interface Platform {
  network: string;
  gateway: string;
  consulHttp: number;
  rabbitmqUrl: string;
  kongAdmin: string;
  kongAdminFromContainers: string;
  kongProxy: string;
}

const created: Docker.Container[] = [];
const images: string[] = [];
let platform: Platform | undefined;
let kong: Env | undefined;
let network: Docker.Network | undefined;

async function run(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
  const container = await docker.createContainer({ Labels: { 'mkdev.test': 'new-service' }, ...options });
  created.push(container);
  await container.start();
  return container;
}

async function hostPort(container: Docker.Container, port: string): Promise<number> {
  const info = await container.inspect();
  return Number(info.NetworkSettings.Ports[port]?.[0]?.HostPort);
}

async function startPlatform(): Promise<Platform> {
  const name = `mkdev-test-ns-${suffix}`;
  const net = await docker.createNetwork({ Name: name, Labels: { 'mkdev.test': 'new-service' } });
  network = net;
  const gateway = (await net.inspect()).IPAM?.Config?.[0]?.Gateway as string;
  const consul = await run({
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
  await run({
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
  kong = await setupKong({
    KONG_ADMIN_LISTEN: `0.0.0.0:${adminPort}`,
    KONG_DNS_RESOLVER: `127.0.0.1:${consulDns}`,
  });
  await waitFor('Consul leader', async () =>
    (await getJson(`http://127.0.0.1:${consulHttp}/v1/status/leader`)).body ? true : undefined,
  );
  return {
    network: name,
    gateway,
    consulHttp,
    rabbitmqUrl: 'amqp://mkdev:test-pw@rabbitmq:5672',
    kongAdmin: `http://127.0.0.1:${adminPort}`,
    kongAdminFromContainers: `http://${gateway}:${adminPort}`,
    kongProxy: kong.kong.proxy,
  };
}

async function build(context: string, tag: string, baseImage: string, nocache: boolean): Promise<number> {
  const started = Date.now();
  const stream = await docker.buildImage(
    packContext(context, hostCaBundle()) as unknown as NodeJS.ReadableStream,
    {
      t: tag,
      buildargs: { BASE_IMAGE: baseImage },
      nocache,
      rm: true,
      forcerm: true,
    },
  );
  const output = await new Promise<{ stream?: string; error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (error: Error | null, result: { stream?: string; error?: string }[]) =>
        error ? reject(error) : resolve(result),
    ),
  );
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(`build failed: ${failed.error}\n${output.map((o) => o.stream ?? '').join('')}`);
  images.push(tag);
  return Date.now() - started;
}

async function logsOf(container: Docker.Container): Promise<string> {
  // Docker multiplexes stdout and stderr: 8-byte frame headers (stream, 0, 0, 0, size as uint32 BE).
  const buffer = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length; ) {
    const size = buffer.readUInt32BE(at + 4);
    parts.push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

describe.skipIf(!haveImages)('generated services, built and run', () => {
  beforeAll(async () => {
    platform = await startPlatform();
  });

  afterAll(async () => {
    for (const c of created) await c.remove({ force: true, v: true }).catch(() => {});
    await network?.remove().catch(() => {});
    for (const tag of images)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    await kong?.kong.stop();
    if (kong) await kong.pg.stop();
  });

  describe.each([
    ['ts', 'orders'],
    ['python', 'users'],
  ] as const)('%s (%s)', (lang, name) => {
    const dir = mkdtempSync(join(tmpdir(), `mkdev-ns-${lang}-`));
    const service = join(dir, 'services', name);
    const tag = `mkdev-test-ns-${name}-${suffix}:dev`;

    it('is generated by the CLI', async () => {
      const result = await cli([name, '--lang', lang], dir);
      expect(result.exitCode, result.all).toBe(0);
    });

    it('builds on the offline base image, cold then warm', async () => {
      const cold = await build(service, tag, BASE_IMAGES[lang], true);
      const warm = await build(service, tag, BASE_IMAGES[lang], false);
      console.log(`[new-service] ${lang} image build: cold ${cold} ms, warm ${warm} ms`);
      expect(warm).toBeLessThan(cold);
    });

    it('passes its own unit tests', async () => {
      if (lang === 'python') {
        const container = await run({
          Image: tag,
          Cmd: ['python3', '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'],
        });
        const result = (await container.wait()) as { StatusCode: number };
        expect(result.StatusCode, await logsOf(container)).toBe(0);
        expect(await logsOf(container)).toMatch(/Ran \d+ tests[\s\S]*OK/);
      } else {
        // On the host: the image carries no dev dependencies.
        const npm = join(process.execPath, '..', 'npm');
        const install = await execa(npm, ['install', '--no-audit', '--no-fund'], {
          cwd: service,
          reject: false,
          all: true,
        });
        expect(install.exitCode, install.all).toBe(0);
        const test = await execa(npm, ['test'], { cwd: service, reject: false, all: true, env: { CI: '1' } });
        expect(test.exitCode, test.all).toBe(0);
        expect(stripVTControlCharacters(test.all)).toMatch(/Tests\s+\d+ passed/);
        const typecheck = await execa(npm, ['run', 'typecheck'], { cwd: service, reject: false, all: true });
        expect(typecheck.exitCode, typecheck.all).toBe(0);
      }
    });

    it('registers, serves the verification flow through Kong, and deregisters on SIGTERM', async () => {
      const p = platform as Platform;
      const container = await run({
        name: `mkdev-test-ns-${suffix}-${name}`,
        Image: tag,
        Env: [
          `SERVICE_NAME=${name}`,
          'PORT=8080',
          `ROUTE_PATH=/${name}`,
          `KONG_ADMIN_URL=${p.kongAdminFromContainers}`,
          'CONSUL_URL=http://consul:8500',
          `RABBITMQ_URL=${p.rabbitmqUrl}`,
        ],
        ExposedPorts: { '8080/tcp': {} },
        HostConfig: {
          NetworkMode: p.network,
          PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        },
      });
      try {
        const direct = `http://127.0.0.1:${await hostPort(container, '8080/tcp')}`;
        const info = await container.inspect();
        const address = info.NetworkSettings.Networks[p.network]?.IPAddress;
        const consul = `http://127.0.0.1:${p.consulHttp}`;

        const startedAt = Date.now();
        await waitFor(
          '/readyz 200',
          async () => ((await getJson(`${direct}/readyz`)).status === 200 ? true : undefined),
          90_000,
        );
        console.log(`[new-service] ${lang} container ready ${Date.now() - startedAt} ms after start`);
        expect((await getJson(`${direct}/healthz`)).status).toBe(200);

        const catalog = (await getJson(`${consul}/v1/catalog/service/${name}`)).body;
        expect(catalog).toEqual([
          expect.objectContaining({
            ServiceID: `${name}-${info.Config.Hostname}`,
            ServiceAddress: address,
            ServicePort: 8080,
          }),
        ]);
        // Ready means discoverable: its check is passing from registration on, not after a first run.
        expect((await getJson(`${consul}/v1/health/service/${name}?passing`)).body).toHaveLength(1);
        expect((await getJson(`${p.kongAdmin}/services/${name}`)).body).toMatchObject({
          host: `${name}.service.consul`,
          port: 8080,
        });
        expect((await getJson(`${p.kongAdmin}/routes/${name}`)).body).toMatchObject({
          paths: [`/${name}`],
          strip_path: true,
        });

        // Through Kong's proxy: /<name> reaches the service as / (strip_path), via Consul DNS.
        const hello = await waitFor('the route through Kong', async () => {
          const r = await getJson(`${p.kongProxy}/${name}`);
          return r.status === 200 ? r.body : undefined;
        });
        expect(hello).toMatchObject({ service: name });
        const posted = await getJson(`${p.kongProxy}/${name}/verifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'ana@example.com', name: 'Ana' }),
        });
        expect(posted.status, JSON.stringify(posted.body)).toBe(202);
        const processed = await waitFor('the consumer to process the message', async () => {
          const r = await getJson(`${p.kongProxy}/${name}/verifications`);
          return r.body.processed.find(
            (m: { data: { token: string } }) => m.data.token === posted.body.token,
          );
        });
        expect(processed).toMatchObject({
          email: 'ana@example.com',
          template: 'userVerification',
          data: { name: 'Ana' },
        });
        // Called directly, both the bare and the prefixed path answer.
        expect((await getJson(`${direct}/verifications`)).status).toBe(200);
        expect((await getJson(`${direct}/${name}/verifications`)).status).toBe(200);
        expect(
          (await getJson(`${p.kongProxy}/${name}/verifications`, { method: 'POST', body: '{"email":"x"}' }))
            .status,
        ).toBe(400);

        const stopping = Date.now();
        await container.stop({ t: 10 });
        const stopMs = Date.now() - stopping;
        console.log(`[new-service] ${lang} container stopped ${stopMs} ms after SIGTERM`);
        expect((await container.inspect()).State.ExitCode).toBe(0);
        expect(stopMs).toBeLessThan(5_000);
        expect((await getJson(`${consul}/v1/catalog/service/${name}`)).body).toEqual([]);
        // Kong's Service and Route stay for the other replicas.
        expect((await getJson(`${p.kongAdmin}/routes/${name}`)).status).toBe(200);
      } catch (error) {
        console.log(`--- ${name} logs ---\n${await logsOf(container)}`);
        throw error;
      }
    });
  });
});
