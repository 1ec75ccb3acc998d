// From each service's decisions (plan.ts) to operations (operations.ts). Everything the executor
// used to work out as it went is decided here, once: image work once per image; the network and
// volumes before the containers that need them; each service's containers touched once what it waits
// for has reached its milestone; a recreate as stop -> remove -> create -> start (stopped first: a
// service deregisters itself from Consul on SIGTERM, where a forced removal would leave it listed);
// a job that runs again has its completion flags cleared before it starts and set after it exits;
// readiness and actions; and each service's milestones, which is what other services wait for. Pure.
import type { ImageNeed } from '../engine/engine.ts';
import { containerName, networkName, volumeName } from '../engine/names.ts';
import { allOf } from '../readiness/create-probe.ts';
import { stackGraph, waitedOn } from '../stack/graph.ts';
import type { Action, DependencyCondition, ServiceSpec } from '../stack/model.ts';
import type { Milestone, Operation } from './operations.ts';
import type { ContainerStep, ServicePlan } from './service-plan.ts';

export interface InfraNeeds {
  readonly createNetwork: boolean;
  readonly createVolumes: readonly string[];
}

type Draft = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never;

class Builder {
  readonly operations: Operation[] = [];
  /** Each service's milestones, by the operation that reaches them. */
  readonly reached = new Map<string, Partial<Record<Milestone, number>>>();

  add(draft: Draft): number {
    const id = this.operations.length + 1;
    this.operations.push({ ...draft, id } as Operation);
    return id;
  }

  /** The operation after which `service` has reached `condition` (a job's `ready` is its completion). */
  milestone(service: string, condition: DependencyCondition, by: string): number {
    const id = this.reached.get(service)?.[condition];
    if (id === undefined)
      throw new Error(`${by} waits for ${service} (${condition}), which is not in the plan`);
    return id;
  }
}

export function planOperations(
  project: string,
  services: Readonly<Record<string, ServicePlan>>,
  infra: InfraNeeds,
): Operation[] {
  const b = new Builder();
  const all = Object.keys(services);
  const network = infra.createNetwork
    ? b.add({
        type: 'create-network',
        services: all,
        resource: networkName(project),
        cause: 'not found',
        after: [],
      })
    : undefined;
  const volumes = new Map(
    infra.createVolumes.map((v) => [
      v,
      b.add({
        type: 'create-volume',
        volume: v,
        services: all.filter((n) => mounts(services[n]?.service, v)),
        resource: volumeName(project, v),
        cause: 'not found',
        after: [],
      }),
    ]),
  );
  const images = imageOperations(b, services);
  for (const name of waitsFirst(services)) {
    const sp = services[name] as ServicePlan;
    const infraFirst = [
      ...(network === undefined ? [] : [network]),
      ...sp.service.volumes.flatMap((v) =>
        v.kind === 'volume' && volumes.has(v.source) ? [volumes.get(v.source) as number] : [],
      ),
    ];
    serviceOperations(
      b,
      project,
      sp,
      [images.get(sp.service.image) as number, ...infraFirst],
      all.indexOf(name),
    );
  }
  return b.operations;
}

function mounts(service: ServiceSpec | undefined, volume: string): boolean {
  return service?.volumes.some((v) => v.kind === 'volume' && v.source === volume) ?? false;
}

/** One operation per image, for every service that uses it; the first need that is work decides. */
function imageOperations(b: Builder, services: Readonly<Record<string, ServicePlan>>): Map<string, number> {
  const byImage = new Map<string, ServicePlan[]>();
  for (const sp of Object.values(services))
    byImage.set(sp.service.image, [...(byImage.get(sp.service.image) ?? []), sp]);
  return new Map(
    [...byImage].map(([image, users]) => {
      const first = users.find((sp) => sp.image !== 'present') ?? (users[0] as ServicePlan);
      const need: ImageNeed = { service: first.service, step: first.image, buildHash: first.buildHash };
      const id = b.add({
        type: 'ensure-image',
        need,
        services: users.map((sp) => sp.service.name),
        resource: image,
        cause: first.imageCause,
        after: [],
      });
      return [image, id];
    }),
  );
}

/** Services in an order where each comes after what it waits for (the stack refuses cycles), else as declared. */
function waitsFirst(services: Readonly<Record<string, ServicePlan>>): string[] {
  const graph = stackGraph(Object.fromEntries(Object.entries(services).map(([n, sp]) => [n, sp.service])));
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || !(name in services)) return;
    for (const dep of waitedOn(graph, name)) if (dep !== name) visit(dep);
    if (!order.includes(name)) order.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return order;
}

function serviceOperations(
  b: Builder,
  project: string,
  sp: ServicePlan,
  first: number[],
  priority: number,
): void {
  const { service } = sp;
  const name = service.name;
  const mine = { services: [name], service: name };
  let gate = first;
  const deps = Object.entries(service.dependsOn);
  if (deps.length > 0) {
    const waits = deps.map(([d, c]) => `${d} (${c})`).join(', ');
    gate = [
      b.add({
        type: 'wait-for',
        ...mine,
        on: deps.map(([dep, condition]) => b.milestone(dep, condition, name)),
        resource: name,
        cause: `depends on ${waits}`,
        after: gate,
        report: { step: 'waiting', message: `waiting for ${waits}` },
      }),
    ];
  }
  const completedEarlier = service.oneShot && sp.steps.every((s) => s.kind === 'keep' && s.completed);
  const flags = service.afterCompleted.filter((a) => a.kind === 'consul_kv_put');
  if (service.oneShot && !completedEarlier && flags.length > 0) {
    // Whatever waits for the flag (Kong's entrypoint) must not start against what the job has not done yet.
    gate = [
      b.add({
        type: 'clear-flags',
        ...mine,
        actions: service.afterCompleted,
        resource: flags.map(actedOn).join(', '),
        cause: `${name} runs (${rerunCause(sp.steps)}): its flags must not outlive this run`,
        after: [...gate, ...actionTargets(b, flags, name)],
      }),
    ];
  }
  const replicas = new Map<number, number>();
  const tails = sp.steps.map((step) => {
    const tail = containerOperations(b, project, sp, step, gate, priority);
    if (step.kind !== 'remove') replicas.set(step.replica, tail);
    return tail;
  });
  const started = b.add({
    type: 'reach',
    ...mine,
    milestone: 'started',
    ...(replicas.has(1) ? { firstReplicaFrom: replicas.get(1) as number } : {}),
    resource: name,
    cause: 'every replica runs',
    after: tails,
  });
  let last = [started];
  if (service.oneShot && !completedEarlier) {
    last = [...replicas].map(([replica, from], i) =>
      b.add({
        type: 'await-exit',
        ...mine,
        replica,
        containerFrom: from,
        resource: containerName(project, name, replica),
        cause: 'a job runs to completion (exit 0)',
        after: [started],
        ...(i === 0 ? { report: { step: 'probe', message: 'running to completion' } } : {}),
      }),
    );
  } else if (!service.oneShot && service.ready) {
    const probe = allOf(service.ready.probes).description;
    last = [...replicas].map(([replica, from], i) =>
      b.add({
        type: 'await-ready',
        ...mine,
        replica,
        containerFrom: from,
        resource: containerName(project, name, replica),
        cause: `ready when ${probe}`,
        after: [started],
        ...(i === 0 ? { report: { step: 'probe', message: `waiting for ${probe}` } } : {}),
      }),
    );
  }
  // A job's actions act on other services once it has completed; a service's, on itself once ready.
  for (const action of service.oneShot ? service.afterCompleted : service.afterReady) {
    last = [
      b.add({
        type: 'run-action',
        ...mine,
        action,
        onSelf: !service.oneShot,
        resource: actedOn(action),
        cause: service.oneShot ? `after ${name} completed` : `once ${name} is ready`,
        after: [...last, ...actionTargets(b, [action], name)],
      }),
    ];
  }
  const final = b.add({
    type: 'reach',
    ...mine,
    milestone: service.oneShot ? 'completed' : 'ready',
    resource: name,
    cause: finalCause(service, completedEarlier),
    after: last,
    report: service.oneShot
      ? { step: 'completed', message: completedEarlier ? 'completed earlier' : 'completed' }
      : { step: 'ready', message: 'ready' },
  });
  b.reached.set(name, { started, ready: final, ...(service.oneShot ? { completed: final } : {}) });
}

/** Why a service counts as ready (a job: completed). */
function finalCause(service: ServiceSpec, completedEarlier: boolean): string {
  const actions = (service.oneShot ? service.afterCompleted : service.afterReady).length > 0;
  const done = service.oneShot
    ? completedEarlier
      ? 'it completed earlier'
      : 'it exited 0'
    : service.ready
      ? 'its probes passed'
      : 'it runs';
  return actions ? `${done} and its actions ran` : done;
}

/** What an action acts on, in words. */
function actedOn(action: Action): string {
  return action.kind === 'consul_kv_put' ? `Consul KV ${action.key}` : `Kong plugin ${action.name}`;
}

/** The `ready` milestones of the services actions act on: an action runs once its target is ready. */
function actionTargets(b: Builder, actions: readonly Action[], by: string): number[] {
  return actions.flatMap((a) => (a.kind === 'consul_kv_put' ? [b.milestone(a.service, 'ready', by)] : []));
}

function rerunCause(steps: readonly ContainerStep[]): string {
  const step = steps.find((s) => !(s.kind === 'keep' && s.completed));
  if (step === undefined || step.kind === 'create') return 'it has not run yet';
  if (step.kind === 'keep') return 'it is still running';
  return 'reason' in step ? step.reason : step.kind;
}

/** One replica's operations; returns the last one (for a replica kept or started: its container's). */
function containerOperations(
  b: Builder,
  project: string,
  sp: ServicePlan,
  step: ContainerStep,
  after: readonly number[],
  priority: number,
): number {
  const name = sp.service.name;
  const on = {
    services: [name],
    service: name,
    replica: step.replica,
    resource: containerName(project, name, step.replica),
  };
  const create = (cause: string, first: readonly number[], report?: Operation['report']) => {
    const created = b.add({
      type: 'create-container',
      ...on,
      configHash: sp.configHash,
      priority,
      cause,
      after: first,
      ...(report ? { report } : {}),
    });
    return b.add({
      type: 'start-container',
      ...on,
      container: { createdBy: created },
      priority,
      cause: 'created',
      after: [created],
    });
  };
  switch (step.kind) {
    case 'keep': {
      const message = step.completed ? 'completed earlier, unchanged' : 'running, unchanged';
      return b.add({
        type: 'keep-container',
        ...on,
        containerId: step.containerId,
        cause: message,
        after,
        report: { step: 'kept', message },
      });
    }
    case 'start':
      return b.add({
        type: 'start-container',
        ...on,
        container: { id: step.containerId },
        priority,
        cause: 'stopped',
        after,
        report: { step: 'start', message: 'starting existing container' },
      });
    case 'create':
      return create('no container', after, { step: 'create', message: 'creating' });
    case 'remove':
      return b.add({
        type: 'remove-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after,
        report: { step: 'remove', message: `removing replica ${step.replica} (${step.reason})` },
      });
    case 'recreate': {
      const stopped = b.add({
        type: 'stop-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after,
        report: { step: 'recreate', message: `recreating (${step.reason})` },
      });
      const removed = b.add({
        type: 'remove-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after: [stopped],
      });
      return create(step.reason, [removed]);
    }
  }
}
