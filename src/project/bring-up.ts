// `up` as a function: observe -> plan -> preflight -> execute -> observe again. The CLI and the
// testing library both call this; there is no second orchestrator.
import type Docker from 'dockerode';
import { UsageError } from '../errors.ts';
import { stackHashes } from '../plan/config-hash.ts';
import type { EventSink } from '../plan/events.ts';
import { type ExecutionResult, executePlan } from '../plan/execute.ts';
import { type ObservedState, observeProject } from '../plan/observe.ts';
import { computePlan, type Plan, selectServices } from '../plan/plan.ts';
import { clearCompletionFlags, runAction } from '../platform/actions.ts';
import type { Stack } from '../stack/model.ts';
import { type Endpoint, resolveEndpoints } from './endpoints.ts';
import { checkHostPorts } from './preflight.ts';

export interface BringUpOptions {
  readonly stack: Stack;
  readonly docker: Docker;
  readonly host: string;
  readonly services?: readonly string[];
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  readonly onPlan?: (plan: Plan) => void;
  readonly extraLabels?: Readonly<Record<string, string>>;
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
  const before = await observeProject(docker, stack.project);
  const selected = selectServices(stack, options.services ?? []);
  const plan = computePlan(stack, before, selected, stackHashes(stack));
  options.onPlan?.(plan);
  await checkHostPorts(docker, plan, before);
  const execution = await executePlan({
    docker,
    plan,
    host: options.host,
    signal: options.signal,
    onEvent: options.onEvent,
    actions: { run: runAction, clearCompletionFlags },
    ...(options.extraLabels ? { extraLabels: options.extraLabels } : {}),
  });
  const observed = await observeProject(docker, stack.project);
  return { plan, execution, observed, endpoints: resolveEndpoints(stack, observed, options.host) };
}
