// One service through its plan, in the order the plan decided: prepare the image, await what it waits
// for, start its replicas, then either finish the job or await readiness, then run its actions. Every
// step shares one context; the engine does the work, this file only sequences it and reports.
import { untilAborted } from '../abort.ts';
import { logTail, whyDead } from '../engine/container-health.ts';
import type { ContainerRef, Engine } from '../engine/engine.ts';
import { probeTargetOf } from '../engine/probe-target.ts';
import { UserError } from '../errors.ts';
import { allOf } from '../readiness/create-probe.ts';
import type { ProbeTarget } from '../readiness/probe.ts';
import { waitUntilReady } from '../readiness/wait-until-ready.ts';
import type { Action } from '../stack/model.ts';
import type { ServiceTimeline, StepName } from './events.ts';
import type { Milestones } from './milestones.ts';
import type { ContainerStep, ServicePlan } from './plan.ts';
import type { StartGate } from './start-gate.ts';

/** What an action sees: the milestones to await its target, and where the services listen. */
export interface ActionContext {
  readonly milestones: Milestones;
  readonly targets: ReadonlyMap<string, ProbeTarget>;
  readonly signal: AbortSignal;
  /** The service running the action, for actions on itself. */
  readonly self?: string;
}

/** The stack's actions (platform/actions.ts), passed in by the caller so the plan knows no platform. */
export interface StackActions {
  /** Runs an action; returns a line saying what it did. */
  run(action: Action, ctx: ActionContext): Promise<string>;
  /** Clears the completion flags a job's actions set, before it runs again; says what it did. */
  clearCompletionFlags(actions: readonly Action[], ctx: ActionContext): Promise<string>;
}

export interface RunContext {
  readonly engine: Engine;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly milestones: Milestones;
  readonly targets: Map<string, ProbeTarget>;
  /** Containers this run started: the ones stopped if the run fails. */
  readonly started: ContainerRef[];
  /** One image preparation per image, shared by the services using it. */
  readonly images: Map<string, Promise<void>>;
  /** The network and volumes, created once before any container. */
  readonly infra: Promise<void>;
  readonly actions: StackActions;
  readonly emit: (service: string, step: StepName, message: string) => void;
  /** ms since execution began, for the timeline. */
  readonly since: () => number;
  /** Creates and starts go through it, in declaration order (start-gate.ts says why). */
  readonly startGate: StartGate;
  /** Each service's place in the stack's declaration order: its priority at the gate. */
  readonly order: ReadonlyMap<string, number>;
}

export async function runService(ctx: RunContext, sp: ServicePlan, tl: ServiceTimeline): Promise<void> {
  const name = sp.service.name;
  tl.imageStart = ctx.since();
  await Promise.all([prepareImage(ctx, sp), ctx.infra]);
  tl.imageEnd = ctx.since();
  await awaitDependencies(ctx, sp);
  await clearFlagsBeforeRerun(ctx, sp);
  tl.startAt = ctx.since();
  const containers = await startReplicas(ctx, sp);
  tl.startedAt = ctx.since();
  const ms = ctx.milestones.of(name);
  ms.started.resolve();
  if (sp.service.oneShot) {
    const earlier = await finishJob(ctx, sp, containers);
    await runActions(ctx, sp);
    tl.readyAt = ctx.since();
    ctx.emit(name, 'completed', earlier ? 'completed earlier' : 'completed');
    ms.completed.resolve();
  } else {
    await awaitReadiness(ctx, sp, containers);
    await runActions(ctx, sp);
    tl.readyAt = ctx.since();
    ctx.emit(name, 'ready', 'ready');
  }
  ms.ready.resolve();
}

function prepareImage(ctx: RunContext, sp: ServicePlan): Promise<void> {
  const { service } = sp;
  let image = ctx.images.get(service.image);
  if (image === undefined) {
    const need = { service, step: sp.image, buildHash: sp.buildHash };
    image = ctx.engine.ensureImage(need, (step, m) => ctx.emit(service.name, step, m), ctx.signal);
    ctx.images.set(service.image, image);
  }
  return image;
}

async function awaitDependencies(ctx: RunContext, sp: ServicePlan): Promise<void> {
  const deps = Object.entries(sp.service.dependsOn);
  if (deps.length > 0) {
    ctx.emit(sp.service.name, 'waiting', `waiting for ${deps.map(([d, c]) => `${d} (${c})`).join(', ')}`);
    await Promise.all(deps.map(([dep, condition]) => ctx.milestones.wait(dep, condition, ctx.signal)));
  }
  ctx.signal.throwIfAborted();
}

/**
 * A job's completion flag must not outlive a run that has not completed yet: whatever waits for it
 * (Kong's entrypoint) would start against a database the job has not migrated.
 */
async function clearFlagsBeforeRerun(ctx: RunContext, sp: ServicePlan): Promise<void> {
  const { name, oneShot, afterCompleted } = sp.service;
  const reruns = oneShot && !sp.steps.every((s) => s.kind === 'keep' && s.completed);
  if (!reruns || afterCompleted.length === 0) return;
  const actionCtx = { milestones: ctx.milestones, targets: ctx.targets, signal: ctx.signal };
  const done = ctx.actions.clearCompletionFlags(afterCompleted, actionCtx);
  ctx.emit(name, 'action', await untilAborted(done, ctx.signal));
}

/** Each container's ports, read once per run: actions' target and its readiness probe share them. */
const targets = new WeakMap<ContainerRef, Promise<ProbeTarget>>();
function targetOf(ctx: RunContext, container: ContainerRef): Promise<ProbeTarget> {
  let target = targets.get(container);
  if (target === undefined) {
    target = probeTargetOf(ctx.engine, container, ctx.host);
    targets.set(container, target);
  }
  return target;
}

/** Applies the container steps; the first replica's ports are where actions and `env` reach it. */
async function startReplicas(ctx: RunContext, sp: ServicePlan): Promise<ContainerRef[]> {
  const applied = await Promise.all(sp.steps.map((step) => applyStep(ctx, sp, step)));
  const containers = applied.filter((c): c is ContainerRef => c !== undefined);
  const first = containers[0];
  if (first) ctx.targets.set(sp.service.name, await targetOf(ctx, first));
  return containers;
}

async function applyStep(
  ctx: RunContext,
  sp: ServicePlan,
  step: ContainerStep,
): Promise<ContainerRef | undefined> {
  const name = sp.service.name;
  const { engine } = ctx;
  if (step.kind === 'remove') {
    ctx.emit(name, 'remove', `removing replica ${step.replica} (${step.reason})`);
    await engine.remove({ id: step.containerId, service: name });
    return undefined;
  }
  if (step.kind === 'keep') {
    ctx.emit(name, 'kept', step.completed ? 'completed earlier, unchanged' : 'running, unchanged');
    return { id: step.containerId, service: name };
  }
  if (step.kind === 'recreate') {
    ctx.emit(name, 'recreate', `recreating (${step.reason})`);
    // Stopped first, gracefully: a service deregisters itself from Consul on SIGTERM, where a
    // forced removal would leave its old instance listed (critical) until Consul reaps it.
    const outdated = { id: step.containerId, service: name };
    await engine.stop(outdated);
    await engine.remove(outdated);
  }
  const begin = async (container: ContainerRef) => {
    ctx.signal.throwIfAborted();
    await engine.start(container);
    return container;
  };
  const container = await ctx.startGate.run(ctx.order.get(name) ?? 0, async () => {
    if (step.kind === 'start') {
      ctx.emit(name, 'start', 'starting existing container');
      return begin({ id: step.containerId, service: name });
    }
    if (step.kind === 'create') ctx.emit(name, 'create', 'creating');
    return begin(await engine.create(sp.service, { replica: step.replica, configHash: sp.configHash }));
  });
  ctx.started.push(container);
  return container;
}

/** Waits for the job to exit 0, unless every replica completed earlier; returns whether it had. */
async function finishJob(ctx: RunContext, sp: ServicePlan, containers: ContainerRef[]): Promise<boolean> {
  const name = sp.service.name;
  if (sp.steps.every((s) => s.kind === 'keep' && s.completed)) return true;
  ctx.emit(name, 'probe', 'running to completion');
  await Promise.all(
    containers.map(async (c) => {
      const { code, attempts } = await ctx.engine.jobExit(c, ctx.signal);
      if (code !== 0) {
        const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
        throw await failureWithLogs(ctx, c, `${name} failed: the job exited with code ${code}${tries}`, {
          hint: `see everything with 'mkdev logs ${name}'; fix the cause and run 'mkdev up' again (the job re-runs)`,
        });
      }
    }),
  );
  return false;
}

async function awaitReadiness(ctx: RunContext, sp: ServicePlan, containers: ContainerRef[]): Promise<void> {
  const { name, ready } = sp.service;
  if (ready === undefined) return;
  const probe = allOf(ready.probes);
  ctx.emit(name, 'probe', `waiting for ${probe.description}`);
  const options = { intervalMs: ready.intervalMs, timeoutMs: ready.timeoutMs, signal: ctx.signal };
  await Promise.all(
    containers.map(async (c) =>
      // Probes through another service (Kong's proxy) reach it where this run started it.
      waitUntilReady(
        probe,
        { ...(await targetOf(ctx, c)), peer: (s) => ctx.targets.get(s) },
        { ...options, whyDead: () => whyDead(ctx.engine, c) },
      ).catch(async (error: unknown) => {
        if (ctx.signal.aborted) throw error;
        throw await failureWithLogs(ctx, c, `${name}: ${(error as Error).message}`);
      }),
    ),
  );
}

/** A job's actions act on other services (awaiting them); a service's after_ready ones may act on itself. */
async function runActions(ctx: RunContext, sp: ServicePlan): Promise<void> {
  const { name, oneShot } = sp.service;
  const base = { milestones: ctx.milestones, targets: ctx.targets, signal: ctx.signal };
  for (const action of oneShot ? sp.service.afterCompleted : sp.service.afterReady) {
    if (oneShot) ctx.emit(name, 'action', `${action.kind} (waiting for its target)`);
    // The action's own calls take no signal: stop waiting for them on Ctrl-C all the same.
    const done = ctx.actions.run(action, oneShot ? base : { ...base, self: name });
    ctx.emit(name, 'action', await untilAborted(done, ctx.signal));
  }
}

/** A failure with the container's last log lines, and where to read the rest. */
async function failureWithLogs(
  ctx: RunContext,
  container: ContainerRef,
  message: string,
  options: { hint?: string } = {},
): Promise<UserError> {
  const { service } = container;
  return new UserError(message, {
    details: `last log lines of ${service}:\n${await logTail(ctx.engine, container)}`,
    hint: options.hint ?? `see everything with 'mkdev logs ${service}'`,
  });
}
