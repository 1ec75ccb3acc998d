// Per-service milestones that dependents await: started, ready, completed. A failed service rejects
// all of its milestones, so everything downstream stops waiting at once.
import { untilAborted } from '../abort.ts';
import { UpstreamFailedError } from '../errors.ts';
import type { DependencyCondition } from '../stack/model.ts';

export class Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Unobserved rejections are expected when nobody depends on a milestone.
    this.promise.catch(() => {});
  }
}

export class Milestones {
  private readonly map = new Map<string, Record<DependencyCondition, Deferred>>();

  constructor(services: readonly string[]) {
    for (const s of services)
      this.map.set(s, { started: new Deferred(), ready: new Deferred(), completed: new Deferred() });
  }

  of(service: string): Record<DependencyCondition, Deferred> {
    const m = this.map.get(service);
    if (m === undefined) throw new Error(`no milestones for ${service}`);
    return m;
  }

  /** Resolves once the service reaches the milestone; rejects if it fails, or as soon as the signal aborts. */
  wait(service: string, condition: DependencyCondition, signal: AbortSignal): Promise<void> {
    return untilAborted(this.of(service)[condition].promise, signal);
  }

  fail(service: string): void {
    for (const d of Object.values(this.of(service))) d.reject(new UpstreamFailedError(service));
  }
}
