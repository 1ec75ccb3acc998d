// The watch loop, one for `mkdev watch` and `mkdev up --watch` once bring-up is done: the initial
// sync, then touched paths -> per-service debounce (50 ms) -> files whose content changed -> the
// service's rules -> one batch at a time per service -> a report per batch, until the signal aborts.
// The file watcher, the clock and the apply step are passed in: the loop's tests drive them by hand
// (fake-watcher.ts, fake-clock.ts, the fake engine); the product takes the defaults.
import type { Engine } from '../engine/engine.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { applyBatch, type ChangeReport } from './apply-batch.ts';
import type { BatchPlan } from './batch-plan.ts';
import { collectChanges } from './change-collector.ts';
import { type Clock, realClock } from './clock.ts';
import { type FileWatcher, fsWatcher } from './file-watcher.ts';
import { recordAll } from './record-state.ts';
import { serviceBatches } from './service-batches.ts';
import { readSyncedState } from './synced-state.ts';

// One editor save is a few events within milliseconds; a longer burst split in two batches still ends
// in one more batch with the rest (one-more-queue.ts).
export const DEBOUNCE_MS = 50;

export interface WatchLoopOptions {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly services: readonly ServiceSpec[];
  /** Files changed while nobody watched, synced before watching (start-watch.ts's plan). */
  readonly initialSync?: readonly BatchPlan[];
  /** One report per applied batch, failed ones included. */
  readonly onChange: (report: ChangeReport) => void;
  /** What goes wrong outside a batch's report (the watcher failing, an apply that threw). */
  readonly onError: (error: Error) => void;
  /**
   * Called once the files' baseline is read and the watchers are set up: a change made from then on
   * is seen. (Said before, an edit made at once could land before the baseline, so read as unchanged.)
   */
  readonly onWatching?: () => void;
  readonly watcher?: FileWatcher;
  readonly clock?: Clock;
  /** Applies one batch; by default applyBatch on the engine. */
  readonly apply?: (plan: BatchPlan) => Promise<ChangeReport>;
}

/** Watches until the signal aborts; returns once nothing it started still runs. The stack keeps running. */
export async function watchLoop(options: WatchLoopOptions): Promise<void> {
  const { stack, engine, signal, services } = options;
  const apply =
    options.apply ?? ((plan: BatchPlan) => applyBatch({ stack, engine, host: options.host, signal }, plan));
  const state = readSyncedState(stack);
  for (const plan of options.initialSync ?? []) options.onChange(await apply(plan));
  await recordAll(engine, stack, services, state);

  const context = {
    stack,
    engine,
    signal,
    state,
    apply,
    onChange: options.onChange,
    onError: options.onError,
  };
  const queues = new Map(services.map((s) => [s.name, serviceBatches(s, context)]));
  const collector = collectChanges(services, stack.projectDir, {
    debounceMs: DEBOUNCE_MS,
    clock: options.clock ?? realClock,
    onBatch: (service, changes) => queues.get(service)?.push(changes),
  });
  const paths = [...new Set(services.flatMap((s) => s.watch.map((r) => r.path)))];
  const watcher = (options.watcher ?? fsWatcher).watch(paths, collector.add, options.onError);
  options.onWatching?.();
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    watcher.close();
    collector.close();
    await Promise.all([...queues.values()].map((q) => q.idle()));
  }
}
