// `up` as a function: observe -> plan -> preflight -> execute -> observe again. The CLI and the
// testing library both call this; there is no second orchestrator.
import type Docker from 'dockerode';
import { engineCall } from '../engine/engine-error.ts';
import { InterruptedError, UsageError } from '../errors.ts';
import { type ServiceHashes, stackHashes } from '../plan/config-hash.ts';
import type { EventSink } from '../plan/events.ts';
import { type ExecutionResult, executePlan } from '../plan/execute.ts';
import { type ObservedState, observeProject } from '../plan/observe.ts';
import { computePlan, type Plan, selectServices } from '../plan/plan.ts';
import { clearCompletionFlags, runAction } from '../platform/actions.ts';
import type { Stack } from '../stack/model.ts';
import { type Endpoint, resolveEndpoints } from './endpoints.ts';
import { labelsForNewVolumes } from './new-volume-labels.ts';
import { preflight } from './preflight.ts';
import { tearDown } from './tear-down.ts';

export interface BringUpOptions {
  readonly stack: Stack;
  readonly docker: Docker;
  readonly host: string;
  readonly services?: readonly string[];
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  readonly onPlan?: (plan: Plan) => void;
  readonly extraLabels?: Readonly<Record<string, string>>;
  /** Hashes that replace the computed ones: `mkdev watch` keeps a container it synced itself. */
  readonly hashes?: Readonly<Record<string, ServiceHashes>>;
}

export interface BringUpResult {
  readonly plan: Plan;
  readonly execution: ExecutionResult;
  readonly observed: ObservedState;
  readonly endpoints: readonly Endpoint[];
}

export async function bringUp(options: BringUpOptions): Promise<BringUpResult> {
  const { stack, docker } = options;
  for (const name of options.services ?? []) {
    if (!(name in stack.services)) {
      // A usage error (exit 2), as for `logs`: the name was mistyped on the command line.
      throw new UsageError(
        `no service '${name}' in this stack`,
        `services are: ${Object.keys(stack.services).join(', ')}`,
      );
    }
  }
  const observe = () =>
    engineCall({ doing: `reading the state of project ${stack.project}` }, () =>
      observeProject(docker, stack.project),
    );
  const before = await observe();
  const selected = selectServices(stack, options.services ?? []);
  const plan = computePlan(stack, before, selected, { ...stackHashes(stack), ...options.hashes });
  // Before anything is created or any secret written: a predictable failure leaves no trace.
  await preflight(docker, plan, before, stack.projectDir);
  const volumeLabels = await labelsForNewVolumes(docker, plan);
  stack.saveSecrets?.();
  options.onPlan?.(plan);
  const execution = await executePlan({
    docker,
    plan,
    host: options.host,
    signal: options.signal,
    onEvent: options.onEvent,
    actions: { run: runAction, clearCompletionFlags },
    volumeLabels,
    ...(options.extraLabels ? { extraLabels: options.extraLabels } : {}),
  }).catch(async (error: unknown) => {
    if (isFresh(before) && !(error instanceof InterruptedError))
      await removeFailedFresh(docker, stack.project);
    throw error;
  });
  const observed = await observe();
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
async function removeFailedFresh(docker: Docker, project: string): Promise<void> {
  await tearDown(docker, project, { volumes: true, stopTimeoutSeconds: 0 }).catch(() => {});
}
