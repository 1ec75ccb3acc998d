// `mkdev run` parks a scaffolded service's container instead of stopping it (host-run/park.ts): the
// template's supervisor stops the service's process on SIGUSR2 and starts it again on SIGHUP, in the
// same container (same id, same StartedAt). Across both swaps a burst of requests through Kong gets no
// failure. A parked container is never left parked: after `mkdev run` is SIGKILLed the next mkdev
// command starts its process again; `docker stop` and `mkdev down` end a parked container at once with
// status 0. The Python template's supervisor is driven by the same signals directly (its host process
// would need the service's Python dependencies on the host).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcesses } from '../src/engine/container-ops.ts';
import {
  docker,
  eventually,
  FREE_PORTS,
  newService,
  OFFLINE_IMAGE_MAP,
  parseEnv,
  removeProject,
  servedThroughKong,
  testProject,
} from './support/cli.ts';
import { serviceContainerState } from './support/crash.ts';
import { type MkdevProcess, spawnMkdev } from './support/mkdev-process.ts';

const project = testProject('swap-park');
const ENV = {
  MKDEV_IMAGES: OFFLINE_IMAGE_MAP,
  NO_COLOR: '1',
  ...FREE_PORTS,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
};
const ROUTING_MS = 120_000;
const hostInstance = `orders-${hostname()}`;
const runs: MkdevProcess[] = [];
let proxy = '';
let consul = '';

const get = async (path: string) => {
  const res = await fetch(`${proxy}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
};

const serviceContainer = (service: string) => serviceContainerState(project.name, service);

/** The processes under the container's PID 1: none while parked. */
const children = async (service: string) =>
  childProcesses(docker.getContainer((await serviceContainer(service)).id));

/** The ids of a service's instances Consul lists as passing. */
async function passing(service: string): Promise<string[]> {
  const res = await fetch(`${consul}/v1/health/service/${service}?passing`, {
    signal: AbortSignal.timeout(5000),
  });
  return ((await res.json()) as { Service: { ID: string } }[]).map((e) => e.Service.ID);
}

/** Two loops of back-to-back GETs through Kong until stop(): every answer. */
function requestBurst(path: string) {
  const results: { status: number | string; text: string }[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      results.push(
        await get(path).catch((error: Error) => ({ status: `error: ${error.message}`, text: '' })),
      );
    }
  };
  const loops = [loop(), loop()];
  return {
    results: () => results,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

function runOrders(): MkdevProcess {
  const run = spawnMkdev(
    project,
    ['run', 'orders', '--', process.execPath, '--disable-warning=ExperimentalWarning', 'src/main.ts'],
    { cwd: join(project.dir, 'services/orders'), env: ENV },
  );
  runs.push(run);
  return run;
}

async function hostReady(run: MkdevProcess): Promise<void> {
  await eventually(
    async () => (run.stderr().includes('orders on the host is ready') ? true : undefined),
    ROUTING_MS,
    'mkdev run to say the host process is ready',
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nmkdev run's output so far:\n${run.output()}`);
  });
}

/** The host process's pid, from the run's record (its process group's leader). */
function hostPid(): number {
  const record = join(project.dir, '.mkdev', 'runs', `${project.name}--orders.json`);
  return (JSON.parse(readFileSync(record, 'utf8')) as { child: { pid: number } }).child.pid;
}

/** Kong routes /orders to the container (not the host process) again. */
const containerServes = () =>
  eventually(
    async () => {
      const res = await get('/orders');
      return res.status === 200 && !res.text.includes(hostInstance) ? true : undefined;
    },
    ROUTING_MS,
    'Kong to route /orders to the container again',
  );

describe('mkdev run parks the container of a service whose supervisor can, and brings its process back', () => {
  beforeAll(async () => {
    for (const args of [['orders'], ['billing', '--lang', 'python']]) {
      const created = await newService(args, project.dir);
      if (created.exitCode !== 0) throw new Error(created.all);
    }
    const install = await execa(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
      {
        cwd: join(project.dir, 'services/orders'),
        reject: false,
        all: true,
      },
    );
    if (install.exitCode !== 0) throw new Error(install.all);
    const up = await project.run(['up'], { timeout: 600_000 });
    if (up.exitCode !== 0) throw new Error(up.all);
    const env = parseEnv((await project.run(['env'])).stdout);
    proxy = env.MKDEV_KONG_PROXY_URL as string;
    consul = env.MKDEV_CONSUL_URL as string;
    await servedThroughKong(get, '/orders', 'hello from orders', ROUTING_MS);
    await servedThroughKong(get, '/billing', 'hello from billing', ROUTING_MS);
  }, 720_000);

  afterAll(async () => {
    for (const run of runs) {
      run.child.kill('SIGKILL');
    }
    // A host process whose mkdev was killed must not outlive the suite.
    try {
      process.kill(-hostPid(), 'SIGKILL');
    } catch {
      // no record, or already gone
    }
    await removeProject(project.name);
  }, 120_000);

  it('TS: parked on the way in, its process back on the way out; same container; no request fails', async () => {
    const before = await serviceContainer('orders');
    const burst = requestBurst('/orders');
    const run = runOrders();
    await hostReady(run);
    // Parked: the container runs, with no service process; Consul lists the host process alone.
    expect(await serviceContainer('orders')).toMatchObject({ id: before.id, running: true });
    expect(await children('orders')).toEqual([]);
    expect(await passing('orders')).toEqual([hostInstance]);
    expect(run.stderr()).toContain('its containers are parked or stopped');
    await eventually(
      async () => (burst.results().some((r) => r.text.includes(hostInstance)) ? true : undefined),
      ROUTING_MS,
      'the burst to reach the host process',
    );
    run.child.kill('SIGINT');
    expect(await run.closed, run.output()).toBe(0);
    expect(run.output()).toContain('containers ready again');
    await containerServes();
    const results = await burst.stop();
    const failed = results.filter((r) => r.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(results.some((r) => r.text.includes(hostInstance))).toBe(true);
    // Not restarted: the same container, started once; its service's process runs again.
    expect(await serviceContainer('orders')).toEqual(before);
    expect((await children('orders')).length).toBeGreaterThan(0);
    expect(await passing('orders')).not.toContain(hostInstance);
  }, 300_000);

  it('mkdev run killed with SIGKILL: the next mkdev command starts the parked process again', async () => {
    const before = await serviceContainer('orders');
    const run = runOrders();
    await hostReady(run);
    const pid = hostPid();
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await children('orders')).toEqual([]);
    const status = await project.run(['status']);
    expect(status.stderr).toContain("repaired orders: an earlier 'mkdev run' ended without restoring it");
    await containerServes();
    expect(await serviceContainer('orders')).toEqual(before);
    expect((await children('orders')).length).toBeGreaterThan(0);
    // The stray host process was stopped (SIGTERM: it deregistered itself).
    await eventually(
      async () => {
        try {
          process.kill(pid, 0);
          return undefined;
        } catch {
          return true;
        }
      },
      30_000,
      'the host process to end',
    );
    await eventually(
      async () => ((await passing('orders')).includes(hostInstance) ? undefined : true),
      30_000,
      'Consul to forget the host process',
    );
  }, 300_000);

  it('Python: SIGUSR2 parks (deregistered, container up), SIGHUP serves again in the same container', async () => {
    const before = await serviceContainer('billing');
    const container = docker.getContainer(before.id);
    await container.kill({ signal: 'SIGUSR2' });
    await eventually(
      async () => ((await children('billing')).length === 0 ? true : undefined),
      60_000,
      'the billing process to leave',
    );
    expect(await passing('billing')).toEqual([]);
    expect((await serviceContainer('billing')).running).toBe(true);
    await container.kill({ signal: 'SIGHUP' });
    await servedThroughKong(get, '/billing', 'hello from billing', ROUTING_MS);
    expect(await serviceContainer('billing')).toEqual(before);
  }, 300_000);

  it('docker stop of a parked Python container: it exits at once, with status 0', async () => {
    const { id } = await serviceContainer('billing');
    const container = docker.getContainer(id);
    await container.kill({ signal: 'SIGUSR2' });
    await eventually(
      async () => ((await children('billing')).length === 0 ? true : undefined),
      60_000,
      'the billing process to leave',
    );
    // A stop that needed the engine's SIGKILL (after 30 s) would end with 137.
    await container.stop({ t: 30 });
    expect(await serviceContainer('billing')).toMatchObject({ running: false, exitCode: 0 });
  }, 300_000);

  it('mkdev down while orders is parked: its container exits at once, with status 0', async () => {
    const { id } = await serviceContainer('orders');
    const run = runOrders();
    await hostReady(run);
    expect(await children('orders')).toEqual([]);
    const dies: Record<string, string>[] = [];
    const events = (await docker.getEvents({
      filters: { container: [id], event: ['die'] },
    })) as NodeJS.ReadableStream & { destroy(): void };
    events.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        dies.push((JSON.parse(line) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes);
      }
    });
    const down = await project.run(['down'], { timeout: 300_000 });
    expect(down.exitCode, down.all).toBe(0);
    await eventually(async () => (dies.length > 0 ? true : undefined), 30_000, "the container's die event");
    events.destroy();
    expect(dies[0]?.exitCode).toBe('0');
    run.child.kill('SIGKILL');
    await run.exited;
    process.kill(-hostPid(), 'SIGKILL');
  }, 300_000);
});
