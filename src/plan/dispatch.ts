// How each kind of operation is done: an engine call (through the port), a wait, a probe or an action,
// with what the run keeps as it goes (the containers operations made, where services listen, the
// timeline). Nothing is decided here: the operation says what, on what and why.
import { untilAborted } from '../abort.ts';
import { deathWatch, logTail } from '../engine/container-health.ts';
import type { ContainerRef, Engine } from '../engine/engine.ts';
import { probeTarget, probeTargetOf } from '../engine/probe-target.ts';
import type { PullProgress } from '../engine/pull-progress.ts';
import { UserError } from '../errors.ts';
import { allOf } from '../readiness/create-probe.ts';
import type { ProbeTarget } from '../readiness/probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { ServiceSpec } from '../stack/model.ts';
import type { ServiceTimeline, StepName } from './events.ts';
import type { Operation } from './operations.ts';
import type { Plan } from './plan.ts';
import type { ActionContext, StackActions } from './stack-actions.ts';
import type { StartGate } from './start-gate.ts';

/** One execution of a plan: what dispatching needs, and what it keeps. */
export interface Run {
  readonly engine: Engine;
  readonly plan: Plan;
  readonly host: string;
  readonly actions: StackActions;
  readonly signal: AbortSignal;
  /** Settles once the operation is done (rejects if it failed). */
  done(id: number): Promise<void>;
  emit(service: string, step: StepName, message: string, pull?: PullProgress): void;
  /** ms since execution began, for the timeline. */
  since(): number;
  readonly timeline: Record<string, ServiceTimeline>;
  /** Where each service's first replica listens: actions and probes through a peer reach it there. */
  readonly targets: Map<string, ProbeTarget>;
  /** The container each operation left (kept, started), by operation. */
  readonly containers: Map<number, ContainerRef>;
  /** Containers this run started: the ones stopped if the run fails. */
  readonly started: ContainerRef[];
  /** Creates and starts go through it, in declaration order (start-gate.ts says why). */
  readonly startGate: StartGate;
}

export async function dispatch(run: Run, op: Operation): Promise<void> {
  const { engine } = run;
  switch (op.type) {
    case 'create-network':
      return engine.ensureNetwork();
    case 'create-volume':
      return engine.ensureVolume(op.volume, op.labels);
    case 'ensure-image': {
      for (const s of op.services) timelineOf(run, s).imageStart = run.since();
      const report = (step: StepName, message: string, pull?: PullProgress) => {
        for (const s of op.services) run.emit(s, step, message, pull);
      };
      await engine.ensureImage(op.need, report, run.signal);
      for (const s of op.services) timelineOf(run, s).imageEnd = run.since();
      return;
    }
    case 'wait-for':
      await untilAborted(Promise.all(op.on.map((id) => run.done(id))), run.signal);
      return;
    case 'clear-flags':
      run.emit(
        op.service,
        'action',
        await act(run, op.service, (ctx) => run.actions.clearCompletionFlags(op.actions, ctx)),
      );
      return;
    case 'keep-container': {
      beginStart(run, op.service);
      const container = { id: op.containerId, service: op.service };
      run.containers.set(op.id, container);
      knownTarget(run, container, op.ports);
      return;
    }
    case 'stop-container':
      beginStart(run, op.service);
      return engine.stop({ id: op.containerId, service: op.service });
    case 'remove-container':
      beginStart(run, op.service);
      return engine.remove({ id: op.containerId, service: op.service });
    case 'create-container': {
      beginStart(run, op.service);
      const spec = specOf(run, op.service);
      const options = { replica: op.replica, configHash: op.configHash };
      run.containers.set(op.id, await run.startGate.run(op.priority, () => engine.create(spec, options)));
      return;
    }
    case 'start-container': {
      beginStart(run, op.service);
      const container =
        'id' in op.container
          ? { id: op.container.id, service: op.service }
          : containerFrom(run, op.container.createdBy);
      await run.startGate.run(op.priority, async () => {
        run.signal.throwIfAborted();
        await engine.start(container);
      });
      run.started.push(container);
      run.containers.set(op.id, container);
      return;
    }
    case 'reach':
      return reach(run, op);
    case 'await-exit':
      return awaitExit(run, op.service, containerFrom(run, op.containerFrom));
    case 'await-ready':
      return awaitReady(run, specOf(run, op.service), containerFrom(run, op.containerFrom));
    case 'run-action': {
      const line = await act(run, op.service, (ctx) => run.actions.run(op.action, ctx), op.onSelf);
      run.emit(op.service, 'action', line);
      return;
    }
  }
}

function specOf(run: Run, service: string): ServiceSpec {
  const sp = run.plan.services[service];
  if (sp === undefined) throw new Error(`no service ${service} in the plan`);
  return sp.service;
}

function timelineOf(run: Run, service: string): ServiceTimeline {
  run.timeline[service] ??= {};
  return run.timeline[service];
}

/** The service's first container operation begins: its start, on the timeline. */
function beginStart(run: Run, service: string): void {
  timelineOf(run, service).startAt ??= run.since();
}

function containerFrom(run: Run, id: number): ContainerRef {
  const container = run.containers.get(id);
  if (container === undefined) throw new Error(`operation #${id} left no container`);
  return container;
}

async function reach(run: Run, op: Extract<Operation, { type: 'reach' }>): Promise<void> {
  const timeline = timelineOf(run, op.service);
  if (op.milestone !== 'started') {
    timeline.readyAt = run.since();
    return;
  }
  timeline.startedAt = run.since();
  if (op.firstReplicaFrom !== undefined) {
    run.targets.set(op.service, await targetOf(run, containerFrom(run, op.firstReplicaFrom)));
  }
}

/** Each container's ports, read once per run: actions' target and its readiness probe share them. */
const targets = new WeakMap<Run, Map<string, Promise<ProbeTarget>>>();
function targetsOf(run: Run): Map<string, Promise<ProbeTarget>> {
  const mine = targets.get(run) ?? new Map<string, Promise<ProbeTarget>>();
  targets.set(run, mine);
  return mine;
}

/** A kept container's ports are the observation's: the engine is not asked again. */
function knownTarget(run: Run, container: ContainerRef, ports: Readonly<Record<string, number>>): void {
  targetsOf(run).set(container.id, Promise.resolve(probeTarget(run.engine, container, run.host, ports)));
}

function targetOf(run: Run, container: ContainerRef): Promise<ProbeTarget> {
  const mine = targetsOf(run);
  let target = mine.get(container.id);
  if (target === undefined) {
    target = probeTargetOf(run.engine, container, run.host);
    mine.set(container.id, target);
  }
  return target;
}

/** An action's (or a flag's) call; its own calls take no signal: stop waiting for them on Ctrl-C all the same. */
function act(
  run: Run,
  service: string,
  call: (ctx: ActionContext) => Promise<string>,
  onSelf = false,
): Promise<string> {
  const ctx = { targets: run.targets, signal: run.signal, ...(onSelf ? { self: service } : {}) };
  return untilAborted(call(ctx), run.signal);
}

async function awaitExit(run: Run, service: string, container: ContainerRef): Promise<void> {
  const { code, attempts } = await run.engine.jobExit(container, run.signal);
  if (code === 0) return;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  throw await failureWithLogs(run, container, `${service} failed: the job exited with code ${code}${tries}`, {
    hint: `see everything with 'mkdev logs ${service}'; fix the cause and run 'mkdev up' again (the job re-runs)`,
  });
}

async function awaitReady(run: Run, service: ServiceSpec, container: ContainerRef): Promise<void> {
  const ready = service.ready;
  if (ready === undefined) return;
  // Probes through another service (Kong's proxy) reach it where this run started it.
  const target = { ...(await targetOf(run, container)), peer: (s: string) => run.targets.get(s) };
  await waitUntilReady(allOf(ready.probes), target, {
    intervalMs: ready.intervalMs,
    timeoutMs: ready.timeoutMs,
    signal: run.signal,
    whyDead: deathWatch(run.engine, container),
  }).catch(async (error: unknown) => {
    if (run.signal.aborted) throw error;
    throw await failureWithLogs(run, container, `${service.name}: ${(error as Error).message}`);
  });
}

/** A failure with the container's last log lines, and where to read the rest. */
async function failureWithLogs(
  run: Run,
  container: ContainerRef,
  message: string,
  options: { hint?: string } = {},
): Promise<UserError> {
  const { service } = container;
  return new UserError(message, {
    details: `last log lines of ${service}:\n${await logTail(run.engine, container)}`,
    hint: options.hint ?? `see everything with 'mkdev logs ${service}'`,
  });
}
