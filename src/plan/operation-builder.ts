// Numbers operations as they are planned, and remembers which operation reaches each service's
// milestones: what later operations name to come after.
import type { DependencyCondition } from '../stack/model.ts';
import type { Milestone, Operation } from './operations.ts';

/** An operation before it has its number. */
export type Draft = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never;

export class Builder {
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
