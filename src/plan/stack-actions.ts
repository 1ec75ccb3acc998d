// The stack's actions as the executor runs them (platform/actions.ts implements them): passed in by
// the caller, so the plan knows no platform.
import type { ProbeTarget } from '../readiness/probe.ts';
import type { Action } from '../stack/model.ts';

/** What an action sees: where the services listen. The plan has it wait until its target is ready. */
export interface ActionContext {
  readonly targets: ReadonlyMap<string, ProbeTarget>;
  readonly signal: AbortSignal;
  /** The service running the action, for actions on itself. */
  readonly self?: string;
}

export interface StackActions {
  /** Runs an action; returns a line saying what it did. */
  run(action: Action, ctx: ActionContext): Promise<string>;
  /** Clears the completion flags a job's actions set, before it runs again; says what it did. */
  clearCompletionFlags(actions: readonly Action[], ctx: ActionContext): Promise<string>;
}
