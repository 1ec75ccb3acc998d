// The plan executor: runs every operation of the plan once those it comes after are done, so the
// stack comes up as parallel as its graph allows, and decides nothing: what to do, in which order and
// why is the plan's (plan-operations.ts); how each operation is done is dispatch.ts'. On failure, what
// this run started is stopped gracefully (labelled, so the next run carries on) and volumes are kept:
// nothing half-started, nothing lost. On Ctrl-C mkdev stops waiting but leaves containers running:
// killing a database during its first initialisation corrupts its volume (seen with Postgres' initdb),
// and the next `up` simply carries on.
import { availableParallelism } from 'node:os';
import { untilAborted } from '../abort.ts';
import type { ContainerRef, Engine } from '../engine/engine.ts';
import { InterruptedError, UpstreamFailedError } from '../errors.ts';
import type { ProbeTarget } from '../readiness/probe.ts';
import { dispatch, type Run } from './dispatch.ts';
import type { EventSink, ServiceTimeline } from './events.ts';
import type { Operation } from './operations.ts';
import type { Plan } from './plan.ts';
import type { StackActions } from './stack-actions.ts';
import { StartGate } from './start-gate.ts';

export interface ExecuteOptions {
  readonly engine: Engine;
  readonly plan: Plan;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  /** The stack's actions (platform/actions.ts): passed in, so the plan knows no platform. */
  readonly actions: StackActions;
}

export interface ExecutionResult {
  readonly timeline: Readonly<Record<string, ServiceTimeline>>;
  readonly targets: ReadonlyMap<string, ProbeTarget>;
}

/** An operation that failed: the error that stops the run, and the services whose work it was. */
class OperationFailed extends Error {
  readonly services: readonly string[];
  constructor(op: Operation, error: unknown) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
    this.services = op.services;
  }
}

export async function executePlan(options: ExecuteOptions): Promise<ExecutionResult> {
  const { plan } = options;
  // A failure anywhere stops the waiting everywhere; the user's own signal is kept apart from it.
  const internal = new AbortController();
  const run = newRun(options, AbortSignal.any([options.signal, internal.signal]));
  const failures: unknown[] = [];
  const finished = new Set<string>();
  const runOne = async (op: Operation): Promise<void> => {
    await untilAborted(Promise.all(op.after.map((id) => run.done(id))), run.signal);
    run.signal.throwIfAborted();
    for (const service of op.services) if (op.report) run.emit(service, op.report.step, op.report.message);
    try {
      await dispatch(run, op);
    } catch (error) {
      // A probe that ran ahead of its service's dependencies fails once they are over: a dependency
      // that failed meanwhile is the failure reported, as when the probe waited for it.
      if (op.type === 'await-ready' && op.probedAhead) {
        await Promise.allSettled(op.probedAhead.map((id) => run.done(id)));
      }
      if (run.signal.aborted) throw error;
      failures.push(error);
      for (const service of op.services.filter((s) => !finished.has(s))) {
        finished.add(service);
        run.emit(service, 'failed', error instanceof Error ? error.message : String(error));
      }
      internal.abort();
      throw new OperationFailed(op, error);
    }
  };
  for (const op of plan.operations) run.operations.set(op.id, runOne(op));
  // Each service that did not finish says why: a service it waits for did not come up, or cancelled.
  for (const op of plan.operations) {
    if (op.type !== 'reach' || op.milestone === 'started') continue;
    run.done(op.id).then(
      () => finished.add(op.service),
      (error: unknown) => {
        if (finished.has(op.service)) return;
        finished.add(op.service);
        const upstream = error instanceof OperationFailed ? error.services[0] : undefined;
        const begun = run.timeline[op.service]?.startedAt !== undefined ? 'cancelled' : 'not started';
        const why = upstream ? `${begun}: ${new UpstreamFailedError(upstream).message}` : 'cancelled';
        run.emit(op.service, 'cancelled', why);
      },
    );
  }
  await Promise.allSettled(run.operations.values());
  if (failures.length > 0) {
    // Stop what this run started, with time to shut down cleanly; keep it (labelled) so logs stay
    // readable and the next `up` carries on. A stop that fails does not hide the failure that matters.
    await Promise.allSettled(run.started.map((c) => options.engine.stop(c)));
    throw failures[0];
  }
  if (options.signal.aborted) throw new InterruptedError();
  return { timeline: run.timeline, targets: run.targets };
}

function newRun(
  options: ExecuteOptions,
  signal: AbortSignal,
): Run & {
  readonly operations: Map<number, Promise<void>>;
  readonly started: ContainerRef[];
} {
  const t0 = Date.now();
  const operations = new Map<number, Promise<void>>();
  const names = Object.keys(options.plan.services);
  return {
    engine: options.engine,
    plan: options.plan,
    host: options.host,
    actions: options.actions,
    signal,
    operations,
    done: (id) => operations.get(id) ?? Promise.reject(new Error(`no operation #${id} in the plan`)),
    emit: (service, step, message, pull) =>
      options.onEvent({ service, step, message, at: Date.now() - t0, ...(pull ? { pull } : {}) }),
    since: () => Date.now() - t0,
    timeline: Object.fromEntries(names.map((n) => [n, {}])),
    targets: new Map(),
    containers: new Map(),
    started: [],
    startGate: new StartGate(startConcurrency()),
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
