// `up` as a function: observe -> plan -> preflight -> execute -> observe again. The CLI and the
// testing library both call this; there is no second orchestrator. `up --dry-run` stops after preflight.
import type { Engine } from '../engine/engine.ts';
import type { ObservedState } from '../engine/observed-state.ts';
import { InterruptedError, UsageError } from '../errors.ts';
import { type ServiceHashes, stackHashes } from '../plan/config-hash.ts';
import type { EventSink } from '../plan/events.ts';
import { type ExecutionResult, executePlan } from '../plan/execute.ts';
import { computePlan, isNoop, type Plan, type PullPolicy, selectServices } from '../plan/plan.ts';
import type { StackActions } from '../plan/stack-actions.ts';
import { clearCompletionFlags, runAction } from '../platform/actions.ts';
import type { Stack } from '../stack/model.ts';
import { type Endpoint, resolveEndpoints } from './endpoints.ts';
import { labelNewVolumes } from './new-volume-labels.ts';
import { preflight } from './preflight.ts';
import { servicesOnHost } from './run-record.ts';
import { tearDown } from './tear-down.ts';

export interface BringUpOptions {
  readonly stack: Stack;
  /** The project's engine: what it creates carries its labels (a test stack's owner). */
  readonly engine: Engine;
  readonly host: string;
  readonly services?: readonly string[];
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  readonly onPlan?: (plan: Plan) => void;
  /** What the stack's actions do; default: the platform's (Consul KV flags, Kong plugins). */
  readonly actions?: StackActions;
  /** Hashes that replace the computed ones: `mkdev watch` keeps a container it synced itself. */
  readonly hashes?: Readonly<Record<string, ServiceHashes>>;
  /** The service this process itself holds on the host (`mkdev run` bringing its containers back). */
  readonly ownHostRun?: string;
  /** When images are pulled (`up --pull`); default `missing`. */
  readonly pull?: PullPolicy;
}

export interface BringUpResult {
  readonly plan: Plan;
  readonly execution: ExecutionResult;
  readonly observed: ObservedState;
  readonly endpoints: readonly Endpoint[];
}

export interface PlannedUp {
  readonly plan: Plan;
  /** The state the plan was made from. */
  readonly observed: ObservedState;
}

/**
 * What `up` would do, checked: observe, plan, preflight. Changes nothing (`up --dry-run` is this);
 * a problem preflight finds fails it before anything is created or any secret written.
 */
export async function planUp(
  options: Pick<BringUpOptions, 'stack' | 'engine' | 'services' | 'hashes' | 'ownHostRun' | 'pull'>,
): Promise<PlannedUp> {
  const { stack, engine } = options;
  for (const name of options.services ?? []) {
    if (!(name in stack.services)) {
      // A usage error (exit 2), as for `logs`: the name was mistyped on the command line.
      throw new UsageError(
        `no service '${name}' in this stack`,
        `services are: ${Object.keys(stack.services).join(', ')}`,
      );
    }
  }
  // The images of every service: the plan decides which it needs.
  const observed = await engine.observe(Object.values(stack.services).map((s) => s.image));
  const selected = selectServices(stack, options.services ?? []);
  // A service `mkdev run` holds stays on the host: whichever command brings the stack up (up, up
  // --watch, watch, the dashboard's rebuild) leaves its containers stopped, and says so.
  const onHost = new Map(
    [...servicesOnHost(stack.projectDir, stack.project)]
      .filter(([service]) => service !== options.ownHostRun)
      .map(([service, pid]) => [service, `mkdev run, pid ${pid}`]),
  );
  const planned = computePlan(
    stack,
    observed,
    selected,
    { ...stackHashes(stack), ...options.hashes },
    onHost,
    options.pull,
  );
  // Before anything is created or any secret written: a predictable failure leaves no trace.
  await preflight(engine, planned, observed, stack.projectDir);
  const plan = await labelNewVolumes(engine.connection, planned);
  return { plan, observed };
}

export async function bringUp(options: BringUpOptions): Promise<BringUpResult> {
  const { stack, engine } = options;
  const { plan, observed: before } = await planUp(options);
  stack.saveSecrets?.();
  options.onPlan?.(plan);
  const execution = await executePlan({
    engine,
    plan,
    host: options.host,
    signal: options.signal,
    onEvent: options.onEvent,
    actions: options.actions ?? { run: runAction, clearCompletionFlags },
  }).catch(async (error: unknown) => {
    if (isFresh(before) && !(error instanceof InterruptedError)) await removeFailedFresh(engine);
    throw error;
  });
  // A plan that changed nothing in the engine leaves the project as it was observed: no second look.
  const observed = isNoop(plan) ? before : await engine.observe([]);
  return { plan, execution, observed, endpoints: resolveEndpoints(stack, observed, options.host) };
}

/** Nothing of the project existed before this run: no container, network or volume. */
function isFresh(observed: ObservedState): boolean {
  return observed.containers.length === 0 && !observed.networkExists && observed.volumes.size === 0;
}

/**
 * A failed first `up` removes what it created: its volumes hold no data yet, so nothing is lost, and
 * nothing half-made is left behind. (On an existing project the volumes are the user's data: kept.)
 * Ctrl-C is not a failure: what it started keeps running for the next `up`.
 */
async function removeFailedFresh(engine: Engine): Promise<void> {
  await tearDown(engine, { volumes: true, stopTimeoutSeconds: 0 }).catch(() => {});
}
