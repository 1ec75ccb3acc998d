import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ObservedContainer } from '../engine/observed-state.ts';
import { loadStack } from '../stack/load-stack.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { configHash, type ServiceHashes, stackHashes } from './config-hash.ts';
import { computePlan, isNoop, planContainers, selectServices } from './plan.ts';

const container = (over: Partial<ObservedContainer>): ObservedContainer => ({
  id: 'c1',
  name: 'p-svc-1',
  service: 'svc',
  replica: 1,
  configHash: 'h',
  state: 'running',
  exitCode: undefined,
  oneShot: false,
  labels: {},
  ports: {},
  ...over,
});
/** Config hashes as the plan takes them, for services that build nothing. */
const asHashes = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([n, config]) => [n, { config, build: '' }]));
const service = (over: Partial<ServiceSpec> = {}) =>
  ({
    name: 'svc',
    oneShot: false,
    replicas: 1,
    dependsOn: {},
    requires: [],
    afterReady: [],
    afterCompleted: [],
    volumes: [],
    ...over,
  }) as ServiceSpec;

/** The default stack with each of its services' containers up to date: running, or a job that completed. */
async function upToDateDefaultStack() {
  const stack = await loadStack({
    cwd: mkdtempSync(join(tmpdir(), 'mkdev-plan-')),
    project: 'plan-test',
    env: {},
  });
  const names = Object.keys(stack.services);
  const hashes = Object.fromEntries(Object.values(stack.services).map((s) => [s.name, configHash(s)]));
  const running = Object.values(stack.services).map((s) =>
    container({
      id: s.name,
      service: s.name,
      configHash: hashes[s.name] ?? '',
      state: s.oneShot ? 'exited' : 'running',
      exitCode: s.oneShot ? 0 : undefined,
    }),
  );
  return { stack, names, hashes, running };
}

describe('planContainers', () => {
  it('creates what is missing, keeps what runs unchanged, recreates what changed, starts what stopped', () => {
    expect(planContainers(service(), 'h', [])).toEqual([{ kind: 'create', replica: 1 }]);
    expect(planContainers(service(), 'h', [container({})])[0]?.kind).toBe('keep');
    expect(planContainers(service(), 'new', [container({})])[0]?.kind).toBe('recreate');
    expect(planContainers(service(), 'h', [container({ state: 'exited', exitCode: 137 })])[0]?.kind).toBe(
      'start',
    );
  });

  it('keeps a job that completed, re-runs one that failed', () => {
    const job = service({ oneShot: true });
    expect(planContainers(job, 'h', [container({ state: 'exited', exitCode: 0 })])[0]).toMatchObject({
      kind: 'keep',
      completed: true,
    });
    expect(planContainers(job, 'h', [container({ state: 'exited', exitCode: 1 })])[0]?.kind).toBe('recreate');
  });

  it('scales: creates new replicas and removes extra ones', () => {
    expect(planContainers(service({ replicas: 2 }), 'h', [container({})]).map((s) => s.kind)).toEqual([
      'keep',
      'create',
    ]);
    expect(
      planContainers(service(), 'h', [container({}), container({ id: 'c2', replica: 2 })]).map((s) => s.kind),
    ).toEqual(['keep', 'remove']);
  });
});

describe('computePlan', () => {
  it('is a no-op exactly when everything runs unchanged', async () => {
    const { stack, names, hashes, running } = await upToDateDefaultStack();
    const images = new Set(Object.values(stack.services).map((s) => s.image));
    const observed = {
      containers: running,
      networkExists: true,
      volumes: new Set(stack.volumes.map((v) => `plan-test_${v}`)),
      images,
      builtFor: new Map<string, string>(),
    };
    expect(isNoop(computePlan(stack, observed, names, asHashes(hashes)))).toBe(true);
    const changed = { ...hashes, kong: 'other' };
    const plan = computePlan(stack, observed, names, asHashes(changed));
    expect(isNoop(plan)).toBe(false);
    expect(
      Object.entries(plan.services)
        .filter(([, sp]) => sp.steps.some((s) => s.kind !== 'keep'))
        .map(([n]) => n),
    ).toEqual(['kong']);
  });

  it('re-runs a completed job when what it depends on is created again (a new Postgres volume), and only then', async () => {
    const { stack, names, hashes, running: all } = await upToDateDefaultStack();
    const observed = (containers: ObservedContainer[]) => ({
      containers,
      networkExists: true,
      volumes: new Set(stack.volumes.map((v) => `plan-test_${v}`)),
      images: new Set(Object.values(stack.services).map((s) => s.image)),
      builtFor: new Map<string, string>(),
    });
    const kinds = (containers: ObservedContainer[]) =>
      Object.fromEntries(
        Object.entries(computePlan(stack, observed(containers), names, asHashes(hashes)).services).map(
          ([n, sp]) => [n, sp.steps.map((s) => s.kind).join()],
        ),
      );
    const withoutPostgres = kinds(all.filter((c) => c.service !== 'postgres'));
    expect(withoutPostgres.postgres).toBe('create');
    expect(withoutPostgres['kong-migrations']).toBe('recreate');
    // Kong starts again once they have run: it must not serve from a database it was not migrated for.
    expect(withoutPostgres.kong).toBe('recreate');
    expect(withoutPostgres.rabbitmq).toBe('keep');
    // A dependent that changes (Kong) does not re-run the migrations; nor does a no-op.
    expect(kinds(all.filter((c) => c.service !== 'kong'))['kong-migrations']).toBe('keep');
    expect(kinds(all)['kong-migrations']).toBe('keep');
  });

  it('recreates Kong when Consul is created or started again (depends_on restart: true), and only then', async () => {
    // Kong's entrypoint hands Kong Consul's IP as dns_resolver at start (stacks/microkubes.yaml): a new
    // Consul container may have another IP, which Kong would never learn.
    const { stack, names, hashes, running: all } = await upToDateDefaultStack();
    expect(stack.services.kong?.restartWith).toEqual(['consul']);
    const observed = (containers: ObservedContainer[]) => ({
      containers,
      networkExists: true,
      volumes: new Set(stack.volumes.map((v) => `plan-test_${v}`)),
      images: new Set(Object.values(stack.services).map((s) => s.image)),
      builtFor: new Map<string, string>(),
    });
    const plan = (containers: ObservedContainer[]) =>
      computePlan(stack, observed(containers), names, asHashes(hashes)).services;
    const withoutConsul = plan(all.filter((c) => c.service !== 'consul'));
    expect(withoutConsul.consul?.steps.map((s) => s.kind)).toEqual(['create']);
    expect(withoutConsul.kong?.steps).toEqual([
      expect.objectContaining({ kind: 'recreate', reason: 'consul changed (depends_on restart: true)' }),
    ]);
    const consulStopped = plan(all.map((c) => (c.service === 'consul' ? { ...c, state: 'exited' } : c)));
    expect(consulStopped.kong?.steps.map((s) => s.kind)).toEqual(['recreate']);
    // Consul kept: Kong kept; the registrator (depends on Consul, no restart: true) kept either way
    expect(plan(all).kong?.steps.map((s) => s.kind)).toEqual(['keep']);
    expect(withoutConsul.registrator?.steps.map((s) => s.kind)).toEqual(['keep']);
  });

  it('selects the asked-for services with everything they depend on', async () => {
    const stack = await loadStack({
      cwd: mkdtempSync(join(tmpdir(), 'mkdev-plan-')),
      project: 'plan-test',
      env: {},
    });
    expect(selectServices(stack, ['kong-migrations'])).toEqual(['postgres', 'consul', 'kong-migrations']);
    expect(selectServices(stack, ['rabbitmq'])).toEqual(['rabbitmq']);
    // Kong waits for the migrations' KV flag on its own: they come along without being awaited; so does
    // the trace receiver its opentelemetry plugin sends to.
    expect(selectServices(stack, ['kong'])).toEqual([
      'postgres',
      'consul',
      'kong-migrations',
      'kong',
      'traces',
    ]);
  });

  it('brings along the services actions act on, after_completed and after_ready alike', async () => {
    const stack = await loadStack({
      cwd: mkdtempSync(join(tmpdir(), 'mkdev-plan-')),
      project: 'plan-test',
      env: {},
    });
    // The migrations job sets its flag in Consul: Consul comes along, so the flag can be set.
    expect(selectServices(stack, ['postgres', 'kong-migrations'])).toEqual([
      'postgres',
      'consul',
      'kong-migrations',
    ]);
    const withAfterReady = {
      ...stack,
      services: {
        ...stack.services,
        rabbitmq: {
          ...(stack.services.rabbitmq as ServiceSpec),
          afterReady: [
            { kind: 'consul_kv_put' as const, service: 'consul', port: 8500, key: 'k', value: 'v' },
          ],
        },
      },
    };
    expect(selectServices(withAfterReady, ['rabbitmq'])).toEqual(['consul', 'rabbitmq']);
  });
});

describe('built images', () => {
  it('are rebuilt only when the build they came from is not the current one', () => {
    const built = service({
      image: 'mkdev-p-orders:dev',
      build: { context: '/x', dockerfile: 'Dockerfile', args: {} },
      volumes: [],
    });
    const stack = { project: 'p', projectDir: '/x', services: { svc: built }, volumes: [], secrets: [] };
    const observed = (builtFor: Map<string, string>) => ({
      containers: [],
      networkExists: true,
      volumes: new Set<string>(),
      images: new Set(['mkdev-p-orders:dev']),
      builtFor,
    });
    const step = (builtFor: Map<string, string>) =>
      computePlan(stack, observed(builtFor), ['svc'], { svc: { config: 'c1', build: 'b1' } }).services.svc
        ?.image;
    expect(step(new Map([['mkdev-p-orders:dev', 'b1']]))).toBe('present');
    expect(step(new Map([['mkdev-p-orders:dev', 'b0']]))).toBe('build');
    expect(step(new Map())).toBe('build');
  });

  it('are not rebuilt when only the env changed: the container alone is recreated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-build-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    const built = service({
      image: 'mkdev-p-orders:dev',
      build: { context: dir, dockerfile: 'Dockerfile', args: {} },
      env: { LEVEL: 'info' },
      ports: [],
      volumes: [],
      labels: {},
    });
    const stackWith = (svc: ServiceSpec) => ({
      project: 'p',
      projectDir: dir,
      services: { svc },
      volumes: [],
      secrets: [],
    });
    const before = stackHashes(stackWith(built)).svc as ServiceHashes;
    const observed = {
      containers: [container({ configHash: before.config })],
      networkExists: true,
      volumes: new Set<string>(),
      images: new Set(['mkdev-p-orders:dev']),
      builtFor: new Map([['mkdev-p-orders:dev', before.build]]),
    };
    const changed = stackWith({ ...built, env: { LEVEL: 'debug' } });
    const plan = computePlan(changed, observed, ['svc'], stackHashes(changed)).services.svc;
    expect(plan?.image).toBe('present');
    expect(plan?.steps).toEqual([
      { kind: 'recreate', replica: 1, containerId: 'c1', reason: 'configuration changed' },
    ]);
    // A change in the build context, by contrast, rebuilds.
    writeFileSync(join(dir, 'app.txt'), 'new\n');
    expect(computePlan(changed, observed, ['svc'], stackHashes(changed)).services.svc?.image).toBe('build');
  });
});

describe('configHash', () => {
  it('changes with env and not with map order', () => {
    const a = service({ image: 'i', env: { A: '1', B: '2' }, ports: [], volumes: [], labels: {} });
    const b = service({ image: 'i', env: { B: '2', A: '1' }, ports: [], volumes: [], labels: {} });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(service({ ...a, env: { A: '2', B: '2' } }))).not.toBe(configHash(a));
  });
});
