// One service's batches, applied one at a time: a batch that arrives while one applies waits, merged
// with any other that arrives meanwhile (the later change per path wins). Each applied batch is
// reported and recorded in the synced state; once the signal aborts, what waits is dropped.
import type { Engine } from '../engine/engine.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import type { ChangeReport } from './apply-batch.ts';
import { type BatchPlan, type FileChange, planBatch } from './batch-plan.ts';
import { OneMoreQueue } from './one-more-queue.ts';
import { recordBatch } from './record-state.ts';
import type { SyncedState } from './synced-state.ts';

export interface BatchContext {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly signal: AbortSignal;
  /** What the containers hold; updated after each batch. */
  readonly state: SyncedState;
  readonly apply: (plan: BatchPlan) => Promise<ChangeReport>;
  readonly onChange: (report: ChangeReport) => void;
  readonly onError: (error: Error) => void;
}

export function serviceBatches(service: ServiceSpec, ctx: BatchContext): OneMoreQueue<FileChange[]> {
  const { stack } = ctx;
  return new OneMoreQueue<FileChange[]>(
    (a, b) => [...a.filter((x) => !b.some((y) => y.path === x.path)), ...b],
    async (changes) => {
      const plan = planBatch(service, changes, stack.projectDir);
      if (plan === undefined || ctx.signal.aborted) return;
      try {
        const report = await ctx.apply(plan);
        ctx.onChange(report);
        await recordBatch(ctx.engine, stack, service, plan, report, ctx.state);
      } catch (error) {
        // Cancelled by Ctrl-C: not a failure to report. Anything else is, and the loop goes on.
        if (!ctx.signal.aborted) ctx.onError(error as Error);
      }
    },
  );
}
