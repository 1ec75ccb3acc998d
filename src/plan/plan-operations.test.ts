// The plan's operations, decided without an engine: what runs, once, in which order, and why.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackOf } from '../../test/support/stack-of.ts';
import type { ObservedContainer, ObservedState } from '../engine/observed-state.ts';
import { loadStack } from '../stack/load-stack.ts';
import type { Stack } from '../stack/model.ts';
import { stackHashes } from './config-hash.ts';
import { type Operation, operationVerb } from './operations.ts';
import { computePlan, isNoop } from './plan.ts';

const nothing: ObservedState = {
  containers: [],
  networkExists: false,
  volumes: new Set(),
  images: new Set(),
  builtFor: new Map(),
};

/** Every service of the stack running (a job: exited 0) with its current configuration. */
function upToDate(stack: Stack, without: readonly string[] = []): ObservedState {
  const hashes = stackHashes(stack);
  const containers: ObservedContainer[] = Object.values(stack.services)
    .filter((s) => !without.includes(s.name))
    .map((s) => ({
      id: `id-${s.name}`,
      name: `${stack.project}-${s.name}-1`,
      service: s.name,
      replica: 1,
      configHash: hashes[s.name]?.config ?? '',
      state: s.oneShot ? 'exited' : 'running',
      exitCode: s.oneShot ? 0 : undefined,
      oneShot: s.oneShot,
      labels: {},
      ports: {},
    }));
  return {
    containers,
    networkExists: true,
    volumes: new Set(stack.volumes.map((v) => `${stack.project}_${v}`)),
    images: new Set(Object.values(stack.services).map((s) => s.image)),
    builtFor: new Map(),
  };
}

const plan = (stack: Stack, observed: ObservedState) =>
  computePlan(stack, observed, Object.keys(stack.services), stackHashes(stack)).operations;

/** `verb resource` of each operation, for reading a plan in a test. */
const lines = (ops: readonly Operation[]) => ops.map((op) => `${operationVerb(op)} ${op.resource}`);
const find = (ops: readonly Operation[], line: string) => {
  const op = ops.find((o) => `${operationVerb(o)} ${o.resource}` === line);
  if (op === undefined) throw new Error(`no operation '${line}' in:\n${lines(ops).join('\n')}`);
  return op;
};
/** True when `later` comes after `earlier`, directly or through what it comes after. */
function comesAfter(ops: readonly Operation[], later: Operation, earlier: Operation): boolean {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const seen = new Set<number>();
  const walk = (op: Operation): boolean =>
    [...op.after, ...(op.type === 'wait-for' ? op.on : [])].some((id) => {
      if (id === earlier.id) return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return walk(byId.get(id) as Operation);
    });
  return walk(later);
}

const shop = () =>
  stackOf('shop', {
    db: { image: 'example/db:1', volumes: ['data:/data'], ready: { log: { pattern: 'ready' } } },
    api: { build: 'app', image: 'shop/app:dev', depends_on: { db: { condition: 'ready' } } },
    worker: { build: 'app', image: 'shop/app:dev', depends_on: { db: { condition: 'started' } } },
  });

describe('the operations of a plan', () => {
  it('come after the operations they name only, so a list in order runs as it should', () => {
    const ops = plan(shop(), nothing);
    ops.forEach((op, i) => {
      expect(op.id).toBe(i + 1);
      expect(op.after.every((id) => id < op.id)).toBe(true);
    });
  });

  it('build an image two services share once, for both, before either is created', () => {
    const ops = plan(shop(), nothing);
    const builds = ops.filter((o) => o.type === 'ensure-image' && o.resource === 'shop/app:dev');
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatchObject({
      services: ['api', 'worker'],
      cause: 'not built yet',
      need: { step: 'build' },
    });
    expect(comesAfter(ops, find(ops, 'create container shop-api-1'), builds[0] as Operation)).toBe(true);
    expect(comesAfter(ops, find(ops, 'create container shop-worker-1'), builds[0] as Operation)).toBe(true);
    expect(find(ops, 'pull image example/db:1').cause).toBe('not present');
  });

  it('create the network and a volume only when missing, before the containers that need them', () => {
    const ops = plan(shop(), nothing);
    const network = find(ops, 'create network mkdev-shop');
    const volume = find(ops, 'create volume shop_data');
    expect(volume.services).toEqual(['db']);
    expect(comesAfter(ops, find(ops, 'create container shop-db-1'), volume)).toBe(true);
    expect(comesAfter(ops, find(ops, 'create container shop-worker-1'), network)).toBe(true);
    const again = plan(shop(), { ...upToDate(shop(), ['api']) });
    expect(
      lines(again).filter((l) => l.startsWith('create network') || l.startsWith('create volume')),
    ).toEqual([]);
  });

  it('make a service wait for exactly the milestones it depends on', () => {
    const ops = plan(shop(), nothing);
    const waits = (service: string) => {
      const wait = ops.find((o) => o.type === 'wait-for' && o.service === service);
      return wait?.type === 'wait-for' ? wait.on.map((id) => lines(ops)[id - 1]) : [];
    };
    expect(waits('api')).toEqual(['reach ready db']);
    expect(waits('worker')).toEqual(['reach started db']);
    expect(waits('db')).toEqual([]);
  });

  it('recreate a changed service as stop, remove, create, start, each after the one before', () => {
    const stack = shop();
    const observed = upToDate(stack);
    const changed = stackOf('shop', {
      db: { image: 'example/db:1', volumes: ['data:/data'], ready: { log: { pattern: 'ready' } } },
      api: {
        build: 'app',
        image: 'shop/app:dev',
        env: { LEVEL: 'debug' },
        depends_on: { db: { condition: 'ready' } },
      },
      worker: { build: 'app', image: 'shop/app:dev', depends_on: { db: { condition: 'started' } } },
    });
    const ops = plan(changed, {
      ...observed,
      builtFor: new Map([['shop/app:dev', stackHashes(changed).api?.build ?? '']]),
    });
    const order = ['stop container', 'remove container', 'create container', 'start container'].map((v) =>
      find(ops, `${v} shop-api-1`),
    );
    for (let i = 1; i < order.length; i++)
      expect((order[i] as Operation).after).toEqual([(order[i - 1] as Operation).id]);
    expect(order[0]).toMatchObject({ cause: 'configuration changed', report: { step: 'recreate' } });
    expect(lines(ops).filter((l) => /^(stop|remove|create|start) /.test(l))).toEqual(
      lines(order as Operation[]),
    );
  });

  it('scale a service down as stop, then remove: the replica gets SIGTERM (it deregisters), not a forced removal', () => {
    const stack = shop();
    const observed = upToDate(stack);
    const api = observed.containers.find((c) => c.service === 'api') as ObservedContainer;
    const ops = plan(stack, {
      ...observed,
      containers: [...observed.containers, { ...api, id: 'id-api-2', name: 'shop-api-2', replica: 2 }],
    });
    const stop = find(ops, 'stop container shop-api-2');
    const remove = find(ops, 'remove container shop-api-2');
    expect(remove.after).toEqual([stop.id]);
    expect(stop).toMatchObject({ cause: 'scaled down', report: { step: 'remove' } });
    expect(lines(ops).filter((l) => l.endsWith('shop-api-1') && /^(stop|remove) /.test(l))).toEqual([]);
  });

  it('re-run a job when Postgres is created again: its flag cleared once Consul is ready and before it starts, set after it exits, Kong started again once the flag is set', async () => {
    const stack = await loadStack({ cwd: mkdtempSync(join(tmpdir(), 'plan-ops-')), project: 'p', env: {} });
    const ops = plan(stack, upToDate(stack, ['postgres']));
    const clear = find(ops, 'clear flags Consul KV kong-migrations');
    expect(clear.cause).toBe(
      'kong-migrations runs (postgres changed since this job completed): its flags must not outlive this run',
    );
    expect(comesAfter(ops, clear, find(ops, 'reach ready consul'))).toBe(true);
    expect(comesAfter(ops, clear, find(ops, 'reach ready postgres'))).toBe(true);
    expect(comesAfter(ops, find(ops, 'stop container p-kong-migrations-1'), clear)).toBe(true);
    const exit = find(ops, 'await exit p-kong-migrations-1');
    const setFlag = ops.find((o) => o.type === 'run-action' && o.service === 'kong-migrations') as Operation;
    expect(comesAfter(ops, setFlag, exit)).toBe(true);
    expect(find(ops, 'stop container p-kong-1').cause).toBe('kong-migrations runs again');
    // Kong's entrypoint checks the flag once a second: started before it is set, Kong slept a second.
    expect(comesAfter(ops, find(ops, 'start container p-kong-1'), setFlag)).toBe(true);
    // What does not depend on Postgres is left alone.
    expect(
      lines(ops).filter((l) => l.includes('rabbitmq') && /^(stop|remove|create|start) /.test(l)),
    ).toEqual([]);
  });

  it('change nothing when everything runs unchanged: keeps, probes and the actions, which are idempotent', async () => {
    const stack = await loadStack({ cwd: mkdtempSync(join(tmpdir(), 'plan-ops-')), project: 'p', env: {} });
    const computed = computePlan(stack, upToDate(stack), Object.keys(stack.services), stackHashes(stack));
    expect(isNoop(computed)).toBe(true);
    expect([...new Set(computed.operations.map((o) => o.type))].sort()).toEqual([
      'await-ready',
      'ensure-image',
      'keep-container',
      'reach',
      'run-action',
      'wait-for',
    ]);
    // Kong's plugins are set side by side, each once Kong is ready, and Kong is ready after both.
    const ops = computed.operations;
    const plugins = ops.filter((o) => o.type === 'run-action' && o.service === 'kong');
    expect(plugins.map((o) => o.resource)).toEqual(['Kong plugin prometheus', 'Kong plugin opentelemetry']);
    const [first, second] = plugins as [Operation, Operation];
    expect(comesAfter(ops, second, first) || comesAfter(ops, first, second)).toBe(false);
    for (const plugin of plugins) {
      expect(comesAfter(ops, plugin, find(ops, 'await ready p-kong-1'))).toBe(true);
      expect(comesAfter(ops, find(ops, 'reach ready kong'), plugin)).toBe(true);
    }
    // Kong, kept running, is probed while its dependencies are waited for (its migrations wait for
    // Postgres' probe), but is ready, and its plugins set, only once they are reached.
    const kongProbe = find(ops, 'await ready p-kong-1');
    expect(comesAfter(ops, kongProbe, find(ops, 'reach ready postgres'))).toBe(false);
    // A failed probe waits for them, so that a dependency's failure is the one reported.
    expect(kongProbe.type === 'await-ready' && kongProbe.probedAhead).toEqual([
      ops.find((o) => o.type === 'wait-for' && o.service === 'kong')?.id,
    ]);
    for (const later of [find(ops, 'reach ready kong'), ...plugins]) {
      expect(comesAfter(ops, later, find(ops, 'reach started kong-migrations'))).toBe(true);
      expect(comesAfter(ops, later, kongProbe)).toBe(true);
    }
    // One per image: Kong and its migrations share theirs.
    const images = new Set(Object.values(stack.services).map((s) => s.image));
    expect(computed.operations.filter((o) => o.type === 'ensure-image').map((o) => o.resource)).toEqual([
      ...images,
    ]);
  });
});
