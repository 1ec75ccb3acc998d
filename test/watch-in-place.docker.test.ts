// `mkdev watch` on a scaffolded TypeScript service restarts its process inside the container (the
// template's supervisor, told by SIGHUP) instead of the container: the container is not restarted (same
// id, same StartedAt), the instance never leaves Consul's passing list (polled across the edit), and a
// burst of requests through Kong across the edit gets no failure (no "name resolution failed", 502 or
// 503). A normal stop still deregisters: `docker stop` of the container takes it off Consul.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { type MkdevProcess, spawnMkdev } from './support/mkdev-process.ts';

const project = testProject('edit-fast');
const ENV = { MKDEV_IMAGES: OFFLINE_IMAGE_MAP, NO_COLOR: '1', ...FREE_PORTS };
const ROUTING_MS = 120_000;
const SOURCE = join(project.dir, 'services', 'orders', 'src', 'http-server.ts');
let watch: MkdevProcess;
let proxy = '';
let consul = '';

const get = async (path: string) => {
  const res = await fetch(`${proxy}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
};

async function ordersContainer() {
  const [c] = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders'] },
  });
  if (c === undefined) throw new Error('no orders container');
  const info = await docker.getContainer(c.Id).inspect();
  return {
    id: c.Id,
    startedAt: info.State.StartedAt,
    running: info.State.Running,
    exitCode: info.State.ExitCode,
  };
}

/** The ids of orders' instances that Consul's health endpoint lists as passing (what its DNS answers). */
async function passing(): Promise<string[]> {
  const res = await fetch(`${consul}/v1/health/service/orders?passing`, {
    signal: AbortSignal.timeout(5000),
  });
  return ((await res.json()) as { Service: { ID: string } }[]).map((e) => e.Service.ID);
}

/** Runs `sample` back to back until stop(), every result in order. */
function sampling<T>(sample: () => Promise<T>) {
  const results: (T | string)[] = [];
  let running = true;
  const loop = async () => {
    while (running) results.push(await sample().catch((error: Error) => `error: ${error.message}`));
  };
  const loops = [loop(), loop()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

describe('mkdev watch restarts a scaffolded TS service in place, keeping its registration', () => {
  beforeAll(async () => {
    const created = await newService(['orders'], project.dir);
    if (created.exitCode !== 0) throw new Error(created.all);
    watch = spawnMkdev(project, ['watch', '--json'], { cwd: project.dir, env: ENV });
    await eventually(
      async () => (watch.json().some((j) => j.type === 'watching') ? true : undefined),
      600_000,
      'watch to bring the stack up and start watching',
    ).catch(async (error) => {
      watch.child.kill('SIGINT');
      await watch.closed;
      throw new Error(`${(error as Error).message}\n${watch.output()}`);
    });
    const env = parseEnv((await project.run(['env'])).stdout);
    proxy = env.MKDEV_KONG_PROXY_URL as string;
    consul = env.MKDEV_CONSUL_URL as string;
    await servedThroughKong(get, '/orders', 'hello from orders', ROUTING_MS);
  }, 660_000);

  afterAll(async () => {
    watch?.child.kill('SIGINT');
    await watch?.closed;
    await removeProject(project.name);
  }, 120_000);

  it('an edit is served by a new process in the same container; Consul and Kong never lose the instance', async () => {
    const before = await ordersContainer();
    const instances = await passing();
    expect(instances).toHaveLength(1);
    const requests = sampling(() => get('/orders'));
    const consulSeen = sampling(passing);
    const text = readFileSync(SOURCE, 'utf8');
    const edited = text.replace('hello from ${config.serviceName}', 'in-place from ${config.serviceName}');
    expect(edited).not.toBe(text);
    writeFileSync(SOURCE, edited);
    const change = await eventually(
      async () => watch.json().find((j) => j.type === 'change' && j.service === 'orders'),
      180_000,
      'a change line for orders',
    );
    expect(change, JSON.stringify(change)).toMatchObject({
      ok: true,
      action: 'sync+restart',
      restarted: 'process',
    });
    // Watch says ready only once the new process answers: Kong serves the edit from the first request on.
    expect((await get('/orders')).text).toContain('in-place from orders');
    const [answers, seen] = await Promise.all([requests.stop(), consulSeen.stop()]);

    const after = await ordersContainer();
    expect(after.id).toBe(before.id);
    expect(after.startedAt).toBe(before.startedAt);
    const failed = answers.filter((a) => typeof a === 'string' || a.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
    expect(answers.some((a) => typeof a !== 'string' && a.text.includes('in-place from orders'))).toBe(true);
    const missing = seen.filter((s) => typeof s === 'string' || s.join() !== instances.join());
    expect(missing, JSON.stringify(missing.slice(0, 5))).toEqual([]);
    expect(seen.length).toBeGreaterThan(5);
  }, 300_000);

  it('docker stop of the container still deregisters the instance, and it exits 0', async () => {
    const [instance] = await passing();
    const { id } = await ordersContainer();
    await docker.getContainer(id).stop({ t: 10 });
    const agent = (await (await fetch(`${consul}/v1/agent/services`)).json()) as Record<string, unknown>;
    expect(Object.keys(agent)).not.toContain(instance);
    expect(await ordersContainer()).toMatchObject({ running: false, exitCode: 0 });
  }, 120_000);
});
