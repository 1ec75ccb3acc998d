// The daily loop against the real engine: `mkdev watch` syncs edits into a TypeScript and a Python
// scaffolded service and Kong serves them; a syntax error is reported with its log and the next good
// edit recovers; package.json rebuilds; watch's own activity triggers nothing; `mkdev run` swaps the
// TypeScript service for a host process behind Kong and Consul, and back. Conditions, never sleeps
// for timing: routing through Kong (DNS caching included) is awaited as a response body.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from '../src/engine/container-ops.ts';
import { groupMembers } from '../src/host-run/host-process.ts';
import {
  docker,
  eventually,
  FREE_PORTS,
  newService,
  OFFLINE_IMAGE_MAP,
  parseEnv,
  removeProject,
  servedThroughKong as servedThroughKongBy,
  testProject,
} from './support/cli.ts';
import { spawnMkdev as spawnMkdevProcess } from './support/mkdev-process.ts';

const project = testProject('watchrun');
const ENV = {
  MKDEV_IMAGES: OFFLINE_IMAGE_MAP,
  NO_COLOR: '1',
  ...FREE_PORTS,
  // The Node running the tests first on PATH: `npm start` runs the template's start script with it.
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
};
const ROUTING_MS = 120_000;

interface Change {
  type: 'change';
  service: string;
  action: string;
  ok: boolean;
  files: string[];
  error?: string;
  log?: string;
}

const spawned: ChildProcess[] = [];

/** A long-running mkdev process of this test's project, its change lines parsed. */
function spawnMkdev(args: readonly string[], cwd: string) {
  const mkdev = spawnMkdevProcess(project, args, { cwd, env: ENV });
  spawned.push(mkdev.child);
  return { ...mkdev, changes: () => mkdev.json().filter((j) => j.type === 'change') as unknown as Change[] };
}

let watch: ReturnType<typeof spawnMkdev>;
let proxy = '';
let consul = '';
const file = (rel: string) => join(project.dir, rel);
const runs = join(project.dir, '.mkdev', 'runs');
const edit = (rel: string, from: string | RegExp, to: string) => {
  const text = readFileSync(file(rel), 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${rel}: nothing to replace`);
  writeFileSync(file(rel), next);
};
const get = async (path: string) => {
  const res = await fetch(`${proxy}${path}`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, text: await res.text() };
};
/** The next change of `service` after the `seen` ones. */
const nextChange = (service: string, seen: number, timeoutMs = 180_000) =>
  eventually(
    async () => watch.changes().filter((c) => c.service === service)[seen],
    timeoutMs,
    `a change line for ${service} (output so far:\n${watch.lines.join('\n')})`,
  );
const servedThroughKong = (path: string, text: string) => servedThroughKongBy(get, path, text, ROUTING_MS);

describe('the daily loop: mkdev watch and mkdev run', () => {
  beforeAll(async () => {
    for (const args of [['orders'], ['billing', '--lang', 'python']]) {
      const created = await newService(args, project.dir);
      if (created.exitCode !== 0) throw new Error(created.all);
    }
    watch = spawnMkdev(['watch', '--json'], project.dir);
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
  }, 660_000);

  afterAll(async () => {
    // Ctrl-C first: a `mkdev run` then stops its host process and restores the container.
    for (const child of spawned) child.kill('SIGINT');
    await Promise.race([
      Promise.all(
        spawned.map((c) =>
          c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)),
        ),
      ),
      new Promise((r) => setTimeout(r, 30_000)),
    ]);
    for (const child of spawned) child.kill('SIGKILL');
    // A host process whose mkdev was killed and never repaired must not outlive the suite.
    for (const name of existsSync(runs) ? readdirSync(runs) : []) {
      const pid = (JSON.parse(readFileSync(join(runs, name), 'utf8')) as { child?: { pid: number } }).child
        ?.pid;
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await removeProject(project.name);
  });

  it('syncs an edit in each template and Kong serves it, with no event loop after', async () => {
    edit(
      'services/orders/src/http-server.ts',
      'hello from ${config.serviceName}',
      'edited-ts from ${config.serviceName}',
    );
    edit(
      'services/billing/app.py',
      'hello from {config.service_name}',
      'edited-py from {config.service_name}',
    );
    const [ts, py] = await Promise.all([nextChange('orders', 0), nextChange('billing', 0)]);
    expect(ts, JSON.stringify(ts)).toMatchObject({
      ok: true,
      action: 'sync+restart',
      files: ['src/http-server.ts'],
    });
    expect(py, JSON.stringify(py)).toMatchObject({ ok: true, action: 'sync+restart', files: ['app.py'] });
    await Promise.all([
      servedThroughKong('/orders', 'edited-ts'),
      servedThroughKong('/billing', 'edited-py'),
    ]);
    // Restarts, registrations and mkdev's own state files must not look like edits: 10 s of quiet.
    const before = watch.changes().length;
    await new Promise((r) => setTimeout(r, 10_000));
    expect(watch.changes().length).toBe(before);
  });

  it('reports a broken edit as failing with its log, and the next good edit recovers', async () => {
    const seen = watch.changes().filter((c) => c.service === 'orders').length;
    const config = readFileSync(file('services/orders/src/config.ts'), 'utf8');
    writeFileSync(file('services/orders/src/config.ts'), `${config}\nthis is not TypeScript {{{\n`);
    try {
      const broken = await nextChange('orders', seen);
      expect(broken.ok).toBe(false);
      expect(broken.error).toMatch(/exit/);
      expect(broken.log).toContain('ERR_INVALID_TYPESCRIPT_SYNTAX');
    } finally {
      // Whatever failed above, the tests after this one get a service that compiles.
      writeFileSync(file('services/orders/src/config.ts'), config);
    }
    const fixed = await nextChange('orders', seen + 1);
    expect(fixed, JSON.stringify(fixed)).toMatchObject({ ok: true, files: ['src/config.ts'] });
    await servedThroughKong('/orders', 'edited-ts');
  });

  it('rebuilds on a package.json change: a new container serves', async () => {
    const containerId = async () =>
      (
        await docker.listContainers({
          filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=orders'] },
        })
      )[0]?.Id;
    const before = await containerId();
    const seen = watch.changes().filter((c) => c.service === 'orders').length;
    const pkg = JSON.parse(readFileSync(file('services/orders/package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      file('services/orders/package.json'),
      JSON.stringify({ ...pkg, description: 'rebuilt' }, null, 2),
    );
    expect(await nextChange('orders', seen, 300_000)).toMatchObject({
      ok: true,
      action: 'rebuild',
      files: ['package.json'],
    });
    expect(await containerId()).not.toBe(before);
    await servedThroughKong('/orders', 'edited-ts');
  }, 360_000);

  it('stops watching on Ctrl-C with exit 0, leaving the stack running', async () => {
    watch.child.kill('SIGINT');
    expect(await watch.closed, watch.output()).toBe(0);
    expect(watch.json().at(-1)).toEqual({ type: 'stopped' });
    expect((await get('/billing')).text).toContain('edited-py');
  });

  it('syncs at start what changed while it was not watching, without a rebuild', async () => {
    const billingId = async () =>
      (
        await docker.listContainers({
          filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=billing'] },
        })
      )[0]?.Id;
    const before = await billingId();
    edit('services/billing/app.py', 'edited-py from', 'offline-edit from');
    watch = spawnMkdev(['watch', '--json'], project.dir);
    const initial = await nextChange('billing', 0);
    expect(initial, JSON.stringify(initial)).toMatchObject({
      ok: true,
      action: 'sync+restart',
      files: ['app.py'],
    });
    await servedThroughKong('/billing', 'offline-edit');
    expect(await billingId()).toBe(before);
    watch.child.kill('SIGINT');
    expect(await watch.closed, watch.output()).toBe(0);
  });

  it('mkdev run: Kong routes to the host process, RabbitMQ works, and the container comes back', async () => {
    const service = file('services/orders');
    const install = await execa(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
      {
        cwd: service,
        reject: false,
        all: true,
      },
    );
    expect(install.exitCode, install.all).toBe(0);
    const run = spawnMkdev(
      ['run', 'orders', '--', process.execPath, '--disable-warning=ExperimentalWarning', 'src/main.ts'],
      service,
    );
    const hostInstance = `orders-${hostname()}`;
    await hostReady(run);
    expect((await get('/orders')).text).toContain(hostInstance);
    // Consul lists it at what host.docker.internal is inside the project network (the engine's
    // host-gateway here), which is not the project network's own gateway.
    const listed = await agentService(hostInstance);
    const kong = (
      await docker.listContainers({
        filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=kong'] },
      })
    )[0];
    const resolved = await execIn(docker.getContainer(kong?.Id as string), [
      'getent',
      'ahostsv4',
      'host.docker.internal',
    ]);
    expect(resolved.output.split(/\s/)[0]).toBe(listed?.Address);
    const network = await docker.getNetwork(`mkdev-${project.name}`).inspect();
    expect(listed?.Address).not.toBe(network.IPAM?.Config?.[0]?.Gateway);
    const post = await fetch(`${proxy}/orders/verifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'host@example.com', name: 'Host' }),
    });
    expect(post.status).toBe(202);
    await eventually(
      async () => ((await get('/orders/verifications')).text.includes('host@example.com') ? true : undefined),
      60_000,
      'the host process to consume its verification from RabbitMQ',
    );
    run.child.kill('SIGINT');
    expect(await run.closed, run.output()).toBe(0);
    expect(run.output()).toContain('containers ready again');
    await containerServesAgain(hostInstance);
  }, 300_000);

  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`mkdev run -- npm start, ${signal} to mkdev's pid alone: the whole tree stops, no request through Kong fails across the swap in and out`, async () => {
      const hostInstance = `orders-${hostname()}`;
      const burst = requestBurst('/orders');
      // npm -> sh -> node, as `npm start` runs the template's start script.
      const run = spawnMkdev(['run', 'orders', '--', 'npm', 'start'], file('services/orders'));
      await hostReady(run);
      await eventually(
        async () => (burst.results().some((r) => r.text.includes(hostInstance)) ? true : undefined),
        ROUTING_MS,
        'the burst to reach the host process',
      );
      const pgid = (
        JSON.parse(readFileSync(join(runs, `${project.name}--orders.json`), 'utf8')) as {
          child: { pid: number };
        }
      ).child.pid;
      const tree = groupMembers(pgid).map(commandLine);
      expect(
        tree.some((c) => c.startsWith('npm')),
        tree.join(' | '),
      ).toBe(true);
      expect(
        tree.some((c) => c.startsWith('sh')),
        tree.join(' | '),
      ).toBe(true);
      expect(
        tree.some((c) => c.includes('src/main.ts')),
        tree.join(' | '),
      ).toBe(true);
      run.child.kill(signal);
      expect(await run.closed, run.output()).toBe(status);
      expect(run.output()).toContain('containers ready again');
      // Nothing of the command's process group is left, and Consul no longer lists it.
      expect(groupMembers(pgid).map(commandLine)).toEqual([]);
      expect(await agentService(hostInstance)).toBeUndefined();
      await containerServesAgain(hostInstance);
      const results = await burst.stop();
      const failed = results.filter((r) => r.status !== 200);
      expect(failed, JSON.stringify(failed.slice(0, 5))).toEqual([]);
      expect(results.filter((r) => r.text.includes(hostInstance)).length).toBeGreaterThan(0);
      expect(results.at(-1)?.text).not.toContain(hostInstance);
    }, 360_000);
  }

  it('a command that ignores the first signal: the second kills its process group', async () => {
    const run = spawnMkdev(
      ['run', 'orders', '--', 'sh', '-c', 'trap "" INT TERM; sleep 600 & wait; sleep 600'],
      file('services/orders'),
    );
    await eventually(
      async () => (run.stderr().includes("running 'sh -c") ? true : undefined),
      ROUTING_MS,
      `mkdev run to start the command (output:\n${run.output()})`,
    );
    const pgid = (
      JSON.parse(readFileSync(join(runs, `${project.name}--orders.json`), 'utf8')) as {
        child: { pid: number };
      }
    ).child.pid;
    run.child.kill('SIGINT');
    await eventually(
      async () => (run.stderr().includes('containers ready again') ? true : undefined),
      ROUTING_MS,
      'the containers to be back after the first signal',
    );
    expect(groupMembers(pgid).length).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    // Killed by SIGKILL: 128 + 9.
    expect(await run.closed, run.output()).toBe(137);
    expect(groupMembers(pgid)).toEqual([]);
  }, 300_000);

  it('mkdev run killed with SIGKILL: the next mkdev command repairs it', async () => {
    const service = file('services/orders');
    const run = spawnMkdev(
      ['run', 'orders', '--', process.execPath, '--disable-warning=ExperimentalWarning', 'src/main.ts'],
      service,
    );
    const hostInstance = `orders-${hostname()}`;
    await hostReady(run);
    // mkdev alone dies: the host process it started keeps our pipes open, so wait for the exit only.
    run.child.kill('SIGKILL');
    await run.exited;
    // The host process outlived mkdev; any later mkdev command in the project stops it and restores.
    const status = await project.run(['status']);
    expect(status.stderr).toContain("repaired orders: an earlier 'mkdev run' ended without restoring it");
    await containerServesAgain(hostInstance);
  }, 300_000);
});

/** After a host run: Kong routes /orders to the container again, and Consul lists the container alone. */
async function containerServesAgain(hostInstance: string): Promise<void> {
  await eventually(
    async () => {
      const res = await get('/orders');
      return res.status === 200 && !res.text.includes(hostInstance) ? true : undefined;
    },
    ROUTING_MS,
    'Kong to route /orders to the container again',
  );
  // Consul's catalog follows the agent by anti-entropy: the container alone, once synced.
  expect(await onlyContainerInCatalog(hostInstance)).toHaveLength(1);
}

/** Waits until Consul's catalog lists one orders instance, not the host's; fails naming what it listed. */
async function onlyContainerInCatalog(hostInstance: string): Promise<string[]> {
  let last: string[] = [];
  return eventually(
    async () => {
      const instances = (await (await fetch(`${consul}/v1/catalog/service/orders`)).json()) as {
        ServiceID: string;
      }[];
      last = instances.map((i) => i.ServiceID);
      return last.length === 1 && last[0] !== hostInstance ? last : undefined;
    },
    30_000,
    "Consul's catalog to list only the container for orders",
  ).catch((error: Error) => {
    throw new Error(`${error.message}; it lists ${JSON.stringify(last)}`);
  });
}

/** Consul's agent entry for a service instance id, or undefined. */
async function agentService(id: string): Promise<{ Address: string; Port: number } | undefined> {
  const services = (await (await fetch(`${consul}/v1/agent/services`)).json()) as Record<
    string,
    { Address: string; Port: number }
  >;
  return services[id];
}

/** Waits for mkdev run's line saying Kong routes to the host process alone. */
async function hostReady(run: ReturnType<typeof spawnMkdev>): Promise<true> {
  try {
    return await eventually(
      async () => (run.stderr().includes('orders on the host is ready') ? true : undefined),
      ROUTING_MS,
      'mkdev run to say the host process is ready',
    );
  } catch (error) {
    // what mkdev run had said by the time the wait gave up, not when it began
    throw new Error(`${(error as Error).message}\nmkdev run's output so far:\n${run.output()}`);
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return `${pid} (gone)`;
  }
}

interface BurstResult {
  readonly status: number | 'error';
  readonly text: string;
}

/** Two loops of back-to-back GETs through Kong, until stop(): every answer, in order. */
function requestBurst(path: string) {
  const results: BurstResult[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const res = await get(path);
        results.push({ status: res.status, text: res.text });
      } catch (error) {
        results.push({ status: 'error', text: String(error) });
      }
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
