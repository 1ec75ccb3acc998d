// Scenario 3: the critical-path lower bound. Each service of the default stack is started alone and
// polled tightly (mkdev's own probes, every 25 ms); the times are then summed along the stack's own
// dependency graph (stack/graph.ts): max(postgres ready + migrations complete, consul ready) + kong
// ready + its plugin, against rabbitmq and prometheus in parallel. No real run can beat it: every wait in it is real work.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { deathWatch } from '../../src/engine/container-health.ts';
import { containerCreateOptions } from '../../src/engine/container-spec.ts';
import { DockerConnection } from '../../src/engine/docker-connection.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { networkName, volumeName } from '../../src/engine/names.ts';
import { ensureNetwork, ensureVolume } from '../../src/engine/network.ts';
import { probeTargetOf } from '../../src/engine/probe-target.ts';
import { probesOf } from '../../src/export/healthcheck.ts';
import { putKv } from '../../src/platform/consul-kv.ts';
import { ensureGlobalPlugin } from '../../src/platform/kong-admin.ts';
import { tearDown } from '../../src/project/tear-down.ts';
import { createProbe } from '../../src/readiness/create-probe.ts';
import { waitUntilReady } from '../../src/readiness/wait-until-ready.ts';
import { type StackGraph, stackGraph } from '../../src/stack/graph.ts';
import { loadStack } from '../../src/stack/load-stack.ts';
import type { Stack } from '../../src/stack/model.ts';

const POLL_MS = 25;
const HOST = '127.0.0.1';

export interface LowerBound {
  /** Each service's own create -> ready (jobs: create -> exit 0). */
  readonly alone: Readonly<Record<string, number>>;
  readonly criticalPathMs: number;
  readonly path: string;
}

export async function measureLowerBound(
  docker: Docker,
  project: string,
  images: string,
): Promise<LowerBound> {
  const stateDir = mkdtempSync(join(tmpdir(), `${project}-`));
  const stack = await loadStack({ cwd: stateDir, project, images, stateDir, freePorts: true });
  await ensureNetwork(docker, project);
  for (const v of stack.volumes) await ensureVolume(docker, project, volumeName(project, v));
  const alone: Record<string, number> = {};
  const signal = AbortSignal.timeout(600_000);
  const engine = new DockerConnection(docker).project(project);
  try {
    const time = async (name: string, keep: boolean) => {
      const started = performance.now();
      const container = await start(docker, stack, name);
      await untilReady(engine, stack, name, container, signal);
      alone[name] = performance.now() - started;
      if (!keep) await container.remove({ force: true, v: true });
      return container;
    };
    // The independent branches first, each alone, then the Kong chain on a stack of its own.
    await time('rabbitmq', false);
    await time('prometheus', false);
    await time('postgres', true);
    const migrationsStarted = performance.now();
    const job = await start(docker, stack, 'kong-migrations');
    const exit = (await job.wait()) as { StatusCode: number };
    if (exit.StatusCode !== 0) throw new Error(`kong-migrations exited ${exit.StatusCode}`);
    alone['kong-migrations'] = performance.now() - migrationsStarted;
    const consul = await time('consul', true);
    const consulPort = (await probeTargetOf(engine, { id: consul.id, service: 'consul' }, HOST)).hostPort(
      8500,
    );
    const migrations = stack.services['kong-migrations'];
    for (const action of migrations?.afterCompleted ?? []) {
      if (action.kind === 'consul_kv_put')
        await putKv(`http://${HOST}:${consulPort}`, action.key, action.value);
    }
    const kong = await time('kong', true);
    const adminPort = (await probeTargetOf(engine, { id: kong.id, service: 'kong' }, HOST)).hostPort(8001);
    const pluginStarted = performance.now();
    for (const action of stack.services.kong?.afterReady ?? []) {
      if (action.kind === 'kong_plugin') {
        await ensureGlobalPlugin(`http://${HOST}:${adminPort}`, action.name, action.config);
      }
    }
    alone['kong plugin'] = performance.now() - pluginStarted;
  } finally {
    await tearDown(engine, { volumes: true }).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }
  return { alone, ...longestPath(stackGraph(stack.services), alone) };
}

/**
 * The critical path through the stack's own graph (stack/graph.ts), from each service's time alone: a
 * service starts once what it depends on or brings along has finished; its actions run once it is done
 * and their targets are ready (Kong's plugin is timed as 'kong plugin').
 */
export function longestPath(
  graph: StackGraph,
  alone: Readonly<Record<string, number>>,
): { criticalPathMs: number; path: string } {
  const done = new Map<string, { at: number; path: string[] }>();
  const finish = (name: string): { at: number; path: string[] } => {
    const known = done.get(name);
    if (known) return known;
    const edges = graph.waitsFor.get(name) ?? [];
    const latest = (names: readonly string[]) =>
      names.map(finish).reduce((a, b) => (b.at > a.at ? b : a), { at: 0, path: [] as string[] });
    const before = latest([
      ...edges.filter((e) => e.via === 'depends_on').map((e) => e.on),
      ...(graph.bringsAlong.get(name) ?? []),
    ]);
    const own = { at: before.at + (alone[name] ?? 0), path: [...before.path, name] };
    const targets = latest(edges.filter((e) => e.via !== 'depends_on').map((e) => e.on));
    const ran = targets.at > own.at ? targets : own;
    const plugin = alone[`${name} plugin`];
    const result = plugin === undefined ? ran : { at: ran.at + plugin, path: [...ran.path, 'plugin'] };
    done.set(name, result);
    return result;
  };
  const last = Object.keys(alone)
    .filter((n) => graph.waitsFor.has(n))
    .map(finish)
    .reduce((a, b) => (b.at > a.at ? b : a), { at: 0, path: [] as string[] });
  return { criticalPathMs: last.at, path: last.path.join(' -> ') };
}

/** Creates (not starts) a service's container exactly as mkdev would, with `extraEnv` on top. */
export async function createService(
  docker: Docker,
  stack: Stack,
  name: string,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<Docker.Container> {
  const service = stack.services[name];
  if (service === undefined) throw new Error(`no service ${name} in the stack`);
  return docker.createContainer(
    containerCreateOptions(
      { ...service, env: { ...service.env, ...extraEnv } },
      {
        project: stack.project,
        network: networkName(stack.project),
        replica: 1,
        configHash: 'bench-lower-bound',
      },
    ),
  );
}

async function start(docker: Docker, stack: Stack, name: string): Promise<Docker.Container> {
  const container = await createService(docker, stack, name);
  await container.start();
  return container;
}

/** Waits with mkdev's own probes for the service, polled every 25 ms. */
export async function untilReady(
  engine: Engine,
  stack: Stack,
  name: string,
  container: Docker.Container,
  signal: AbortSignal,
) {
  const ready = stack.services[name]?.ready;
  if (ready === undefined) return;
  const ref = { id: container.id, service: name };
  const target = await probeTargetOf(engine, ref, HOST);
  for (const probe of probesOf(ready)) {
    await waitUntilReady(createProbe(probe), target, {
      intervalMs: POLL_MS,
      timeoutMs: ready.timeoutMs,
      signal,
      whyDead: deathWatch(engine, ref),
    });
  }
}
