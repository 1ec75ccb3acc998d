// One service's operations: a wait for exactly the milestones it depends on; a job that runs again
// has its completion flags cleared first (once their service is ready) and set again after it exits;
// its replicas (replica-operations.ts); its milestones, readiness and actions.
import { containerName } from '../engine/names.ts';
import { allOf } from '../readiness/create-probe.ts';
import type { Action, ServiceSpec } from '../stack/model.ts';
import type { Builder } from './operation-builder.ts';
import { replicaOperations } from './replica-operations.ts';
import type { ContainerStep, ServicePlan } from './service-plan.ts';

export function serviceOperations(
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
  // A service kept running as it is (a no-op `up`'s every service) is probed while what it depends on is
  // still being waited for: its probes need nothing from them, and it is reported ready (and its
  // actions run) only once they are reached, as any other service. Its probes still all run.
  const keptRunning = !service.oneShot && sp.steps.every((s) => s.kind === 'keep');
  const replicas = new Map<number, number>();
  const tails = sp.steps.map((step) => {
    const tail = replicaOperations(b, project, sp, step, keptRunning ? first : gate, priority);
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
    after: keptRunning ? [...tails, ...gate] : tails,
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
        after: keptRunning ? [from] : [started],
        ...(keptRunning && gate !== first ? { probedAhead: gate } : {}),
        ...(i === 0 ? { report: { step: 'probe', message: `waiting for ${probe}` } } : {}),
      }),
    );
    if (keptRunning) last.push(started);
  }
  // A job's actions act on other services once it has completed; a service's, on itself once ready.
  // Each sets its own flag or plugin, so they run side by side (every `up` runs them, a no-op one too).
  const actions = service.oneShot ? service.afterCompleted : service.afterReady;
  if (actions.length > 0) {
    const ready = last;
    last = actions.map((action) =>
      b.add({
        type: 'run-action',
        ...mine,
        action,
        onSelf: !service.oneShot,
        resource: actedOn(action),
        cause: service.oneShot ? `after ${name} completed` : `once ${name} is ready`,
        after: [...ready, ...actionTargets(b, [action], name)],
      }),
    );
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

/**
 * A service `mkdev run` holds on the host: nothing is done to its containers (they stay stopped while
 * the host process serves), and it counts as started and ready for whoever waits for it.
 */
export function onHostOperations(b: Builder, sp: ServicePlan, runner: string): void {
  const name = sp.service.name;
  const reached = b.add({
    type: 'reach',
    services: [name],
    service: name,
    milestone: sp.service.oneShot ? 'completed' : 'ready',
    resource: name,
    cause: `runs on the host (${runner}): its containers stay stopped until it exits`,
    after: [],
    report: { step: 'ready', message: `on the host (${runner}); its containers stay stopped` },
  });
  b.reached.set(name, {
    started: reached,
    ready: reached,
    ...(sp.service.oneShot ? { completed: reached } : {}),
  });
}
