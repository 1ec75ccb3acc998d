// The plan executor: every service is a task (run-service.ts) that waits for exactly what it depends
// on, so the graph runs as parallel as it allows. On failure, what this run started is stopped
// gracefully (labelled, so the next run carries on) and volumes are kept: nothing half-started, nothing
// lost. On Ctrl-C mkdev stops waiting but leaves containers running: killing a database during its first
// initialisation corrupts its volume (seen with Postgres' initdb), and the next `up` simply carries on.
import { availableParallelism } from 'node:os';
import type Docker from 'dockerode';
import { stopContainers } from '../engine/container-lifecycle.ts';
import { ensureNetworkAndVolumes } from '../engine/network.ts';
import { InterruptedError, UpstreamFailedError } from '../errors.ts';
import type { ProbeTarget } from '../readiness/probe.ts';
import type { EventSink, ServiceTimeline, StepName } from './events.ts';
import { Milestones } from './milestones.ts';
import type { Plan } from './plan.ts';
import { type RunContext, runService, type StackActions } from './run-service.ts';
import { StartGate } from './start-gate.ts';

export interface ExecuteOptions {
  readonly docker: Docker;
  readonly plan: Plan;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  /** The stack's actions (platform/actions.ts): passed in, so the plan knows no platform. */
  readonly actions: StackActions;
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** Labels of each volume to create (stack name -> labels): the image and data version it is for. */
  readonly volumeLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface ExecutionResult {
  readonly timeline: Readonly<Record<string, ServiceTimeline>>;
  readonly targets: ReadonlyMap<string, ProbeTarget>;
}

export async function executePlan(options: ExecuteOptions): Promise<ExecutionResult> {
  const { plan } = options;
  const names = Object.keys(plan.services);
  const timeline: Record<string, ServiceTimeline> = Object.fromEntries(names.map((n) => [n, {}]));
  // A failure anywhere stops the waiting everywhere; the user's own signal is kept apart from it.
  const internal = new AbortController();
  const ctx = runContext(options, new Milestones(names), AbortSignal.any([options.signal, internal.signal]));
  const failures: unknown[] = [];
  await Promise.all(
    Object.values(plan.services).map((sp) =>
      runService(ctx, sp, timeline[sp.service.name] as ServiceTimeline).catch((error: unknown) => {
        ctx.milestones.fail(sp.service.name);
        if (!(error instanceof UpstreamFailedError || ctx.signal.aborted)) failures.push(error);
        ctx.emit(sp.service.name, ...failureEvent(error, ctx.signal.aborted));
        internal.abort();
      }),
    ),
  );
  if (failures.length > 0) {
    // Stop what this run started, with time to shut down cleanly; keep it (labelled) so logs stay
    // readable and the next `up` carries on.
    await stopContainers(ctx.started);
    throw failures[0];
  }
  if (options.signal.aborted) throw new InterruptedError();
  return { timeline, targets: ctx.targets };
}

/** How a service that did not come up is reported: not started (upstream failed), cancelled, or failed. */
function failureEvent(error: unknown, aborted: boolean): [StepName, string] {
  if (error instanceof UpstreamFailedError) return ['cancelled', `not started: ${error.message}`];
  if (aborted) return ['cancelled', 'cancelled'];
  return ['failed', error instanceof Error ? error.message : String(error)];
}

function runContext(options: ExecuteOptions, milestones: Milestones, signal: AbortSignal): RunContext {
  const { docker, plan } = options;
  const extraLabels = options.extraLabels ?? {};
  const t0 = Date.now();
  return {
    docker,
    project: plan.project,
    host: options.host,
    signal,
    milestones,
    targets: new Map(),
    started: [],
    images: new Map(),
    infra: ensureNetworkAndVolumes(
      docker,
      plan.project,
      plan.createVolumes,
      { ...extraLabels },
      options.volumeLabels,
    ),
    extraLabels,
    actions: options.actions,
    emit: (service, step, message) => options.onEvent({ service, step, message, at: Date.now() - t0 }),
    since: () => Date.now() - t0,
    startGate: new StartGate(startConcurrency()),
    order: new Map(Object.keys(plan.services).map((name, i) => [name, i])),
  };
}

/**
 * Container starts are CPU work in the engine (network namespaces, port proxies). On 2 cores, 4 at a
 * time started the default stack plus 30 services in 8.1-8.7 s against 9.6-9.9 s all at once, and the
 * default stack alone in 4.9-5.3 s against 5.3-5.4 s (3 and 6 at a time were no better). Twice the
 * cores, at least 4; larger machines were not measured.
 */
function startConcurrency(): number {
  return Math.max(4, 2 * availableParallelism());
}
