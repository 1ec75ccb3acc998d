// observed state + stack -> plan: per service what becomes of its image and each replica (here), then
// the operations that do it (plan-operations.ts). Pure: the same inputs give the same plan, and tests
// need no engine.
import type { ImageStep } from '../engine/engine.ts';
import { volumeName } from '../engine/names.ts';
import type { ObservedContainer, ObservedState } from '../engine/observed-state.ts';
import { closure, stackGraph } from '../stack/graph.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import type { ServiceHashes } from './config-hash.ts';
import { changesEngine, type Operation } from './operations.ts';
import { planOperations } from './plan-operations.ts';
import type { ContainerStep, ServicePlan } from './service-plan.ts';

/**
 * When `up` pulls a service's image (as `docker compose up --pull`): `missing` only when the engine lacks
 * it, `always` every time (a moving tag picks up its newest image), `never` not at all (a missing image
 * is a preflight problem). Built services' images are built, never pulled, whichever the policy.
 */
export type PullPolicy = 'missing' | 'always' | 'never';

export const PULL_POLICIES: readonly PullPolicy[] = ['missing', 'always', 'never'];

export interface Plan {
  readonly project: string;
  /** How images were planned; preflight reads it for the images built services start FROM. */
  readonly pull: PullPolicy;
  /** What becomes of each service, as decided (preflight and the progress output read these). */
  readonly services: Readonly<Record<string, ServicePlan>>;
  /** What the executor does, in an order where each comes after what it waits for. */
  readonly operations: readonly Operation[];
}

/** The services to bring up: the ones asked for and everything they wait for or bring along. */
export function selectServices(stack: Stack, requested: readonly string[]): string[] {
  if (requested.length === 0) return Object.keys(stack.services);
  return closure(stackGraph(stack.services), requested);
}

export function planContainers(
  service: ServiceSpec,
  hash: string,
  existing: readonly ObservedContainer[],
): ContainerStep[] {
  const steps: ContainerStep[] = [];
  for (let replica = 1; replica <= service.replicas; replica++) {
    const current = existing.find((c) => c.replica === replica);
    if (current === undefined) {
      steps.push({ kind: 'create', replica });
    } else if (current.configHash !== hash) {
      steps.push({ kind: 'recreate', replica, containerId: current.id, reason: 'configuration changed' });
    } else if (current.state === 'running') {
      steps.push({ kind: 'keep', replica, containerId: current.id, completed: false, ports: current.ports });
    } else if (service.oneShot && current.state === 'exited' && current.exitCode === 0) {
      steps.push({ kind: 'keep', replica, containerId: current.id, completed: true, ports: current.ports });
    } else if (service.oneShot) {
      // A job that failed or never finished runs again from scratch.
      steps.push({
        kind: 'recreate',
        replica,
        containerId: current.id,
        reason: 'previous run did not complete',
      });
    } else {
      steps.push({ kind: 'start', replica, containerId: current.id });
    }
  }
  for (const extra of existing.filter((c) => c.replica > service.replicas)) {
    steps.push({ kind: 'remove', replica: extra.replica, containerId: extra.id, reason: 'scaled down' });
  }
  return steps;
}

export function computePlan(
  stack: Stack,
  observed: ObservedState,
  selected: readonly string[],
  hashes: Readonly<Record<string, ServiceHashes>>,
  onHost: ReadonlyMap<string, string> = new Map(),
  pull: PullPolicy = 'missing',
): Plan {
  const services: Record<string, ServicePlan> = {};
  for (const name of selected) {
    const service = stack.services[name];
    if (service === undefined) continue;
    const runner = onHost.get(name);
    if (runner !== undefined) {
      const { config, build } = hashes[name] ?? { config: '', build: '' };
      const image = 'present';
      services[name] = {
        service,
        configHash: config,
        buildHash: build,
        image,
        imageCause: 'on the host',
        steps: [],
        onHost: runner,
      };
      continue;
    }
    const { config, build } = hashes[name] ?? { config: '', build: '' };
    const existing = observed.containers.filter((c) => c.service === name);
    // A built image is rebuilt only when what it is built from changed, not when the container's
    // configuration did (its env, say): that recreates the container alone.
    const builtFrom = observed.builtFor.get(service.image);
    const [image, imageCause]: [ImageStep, string] = service.build
      ? builtFrom === build
        ? ['present', 'built from its current context']
        : ['build', builtFrom === undefined ? 'not built yet' : 'what it is built from changed']
      : pulledImageStep(observed.images.has(service.image), pull);
    const steps = planContainers(service, config, existing);
    services[name] = { service, configHash: config, buildHash: build, image, imageCause, steps };
  }
  rerunJobsOnChangedDependencies(services);
  const wanted = new Set(
    selected.flatMap(
      (n) => stack.services[n]?.volumes.filter((v) => v.kind === 'volume').map((v) => v.source) ?? [],
    ),
  );
  const createVolumes = [...wanted].filter((v) => !observed.volumes.has(volumeName(stack.project, v)));
  return {
    project: stack.project,
    pull,
    services,
    operations: planOperations(stack.project, services, {
      createNetwork: !observed.networkExists,
      createVolumes,
    }),
  };
}

/** A pulled (not built) image's step under the pull policy, and why. */
function pulledImageStep(present: boolean, pull: PullPolicy): [ImageStep, string] {
  if (pull === 'always') return ['pull', present ? 'pulled every time (--pull always)' : 'not present'];
  if (present) return ['present', 'present'];
  return pull === 'never' ? ['absent', 'not present, and --pull never'] : ['pull', 'not present'];
}

/**
 * A job that completed earlier runs again when something it depends on is created, recreated or
 * started in this plan: its result describes that dependency's state (Kong's migrations describe
 * Postgres' data), which may be new, e.g. a Postgres volume removed on its own. And what depends on a
 * job that runs again is recreated, so it starts only once the job has (Kong on its migrations).
 * A service whose depends_on says `restart: true` is recreated when that dependency changes (Kong,
 * which took Consul's address at its start). Repeated until nothing changes, so it propagates.
 */
function rerunJobsOnChangedDependencies(services: Record<string, ServicePlan>): void {
  const changes = (sp: ServicePlan | undefined) => sp?.steps.some((s) => s.kind !== 'keep');
  const triggers = (sp: ServicePlan, dep: string) =>
    changes(services[dep]) &&
    (sp.service.oneShot || services[dep]?.service.oneShot === true || sp.service.restartWith.includes(dep));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, sp] of Object.entries(services)) {
      if (changes(sp)) continue;
      const dependency = Object.keys(sp.service.dependsOn).find((dep) => triggers(sp, dep));
      if (dependency === undefined) continue;
      services[name] = {
        ...sp,
        steps: sp.steps.map((step) =>
          step.kind === 'keep'
            ? {
                kind: 'recreate',
                replica: step.replica,
                containerId: step.containerId,
                reason: sp.service.restartWith.includes(dependency)
                  ? `${dependency} changed (depends_on restart: true)`
                  : `${dependency} ${services[dependency]?.service.oneShot ? 'runs again' : 'changed since this job completed'}`,
              }
            : step,
        ),
      };
      changed = true;
    }
  }
}

/** True when executing the plan would change nothing on the engine. */
export function isNoop(plan: Plan): boolean {
  return !plan.operations.some(changesEngine);
}
