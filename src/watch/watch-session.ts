// `mkdev watch`'s loop: fs events -> per-service debounce (100 ms) -> only files whose content
// changed -> the service's rules -> one batch at a time per service (one more queued, no more).
import type { Engine } from '../engine/engine.ts';
import { UsageError, UserError } from '../errors.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { applyBatch, type ChangeReport } from './apply-batch.ts';
import { type FileChange, planBatch, ruleMatcher } from './batch-plan.ts';
import { Debouncer } from './debouncer.ts';
import { hashFile, snapshot } from './file-hashes.ts';
import { watchPaths } from './file-watcher.ts';
import { OneMoreQueue } from './one-more-queue.ts';
import { gitignoreTest } from './path-filter.ts';
import { recordBatch } from './start-watch.ts';
import type { SyncedState } from './synced-state.ts';

export const DEBOUNCE_MS = 100;

export interface WatchOptions {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly onChange: (report: ChangeReport) => void;
  /** What the containers hold; updated after each batch. */
  readonly state: SyncedState;
  readonly onError?: (error: Error) => void;
  /**
   * Called once the files' baseline is read and the watchers are set up: a change made from then on
   * is seen. (Said before, an edit made at once could land before the baseline, so read as unchanged.)
   */
  readonly onWatching?: () => void;
}

/** The services to watch: those named (each must have rules), else every one that has rules. */
export function watchedServices(stack: Stack, names: readonly string[]): ServiceSpec[] {
  for (const name of names) {
    const service = stack.services[name];
    if (service === undefined) {
      throw new UsageError(
        `no service '${name}' in this stack`,
        `services are: ${Object.keys(stack.services).join(', ')}`,
      );
    }
    if (service.watch.length === 0) {
      throw new UserError(`service '${name}' has no watch rules`, {
        hint: `add develop.watch rules to ${name} in mkdev.yaml (see docs/daily-loop.md in mkdev)`,
      });
    }
  }
  const chosen =
    names.length > 0 ? names.map((n) => stack.services[n] as ServiceSpec) : Object.values(stack.services);
  const watched = chosen.filter((s) => s.watch.length > 0);
  if (watched.length === 0) {
    throw new UserError('no service has watch rules', {
      hint: "services from 'mkdev new-service' come with them; others need develop.watch in mkdev.yaml",
    });
  }
  return watched;
}

/** One service's batches, one at a time (one more queued, its changes merged, the later per path). */
function batchQueue(s: ServiceSpec, options: WatchOptions): OneMoreQueue<FileChange[]> {
  const { stack } = options;
  const ctx = { stack, engine: options.engine, host: options.host, signal: options.signal };
  return new OneMoreQueue<FileChange[]>(
    (a, b) => [...a.filter((x) => !b.some((y) => y.path === x.path)), ...b],
    async (changes) => {
      const plan = planBatch(s, changes, stack.projectDir);
      if (plan === undefined || options.signal.aborted) return;
      try {
        const report = await applyBatch(ctx, plan);
        options.onChange(report);
        await recordBatch(options.engine, stack, s, plan, report, options.state);
      } catch (error) {
        if (!options.signal.aborted) options.onError?.(error as Error);
      }
    },
  );
}

/** Watches until the signal aborts; what runs then is cancelled, the stack keeps running. */
export async function watchServices(services: readonly ServiceSpec[], options: WatchOptions): Promise<void> {
  const { stack } = options;
  const paths = services.flatMap((s) => s.watch.map((r) => r.path));
  const known = new Map(services.map((s) => [s.name, snapshot(s.watch.map((r) => r.path))]));
  const matchers = services.map((s) => ({ service: s, match: ruleMatcher(s.watch) }));
  const ignoredByGit = [...new Set(paths)].map((p) => gitignoreTest(stack.projectDir, p));

  const queues = new Map(services.map((s) => [s.name, batchQueue(s, options)]));

  const debouncer = new Debouncer<string>(DEBOUNCE_MS, (name, changed) => {
    const changes: FileChange[] = [];
    const hashes = known.get(name) ?? new Map<string, string>();
    for (const path of changed) {
      const hash = hashFile(path);
      if (hash === hashes.get(path)) continue; // same content, or still absent
      if (hash === undefined) hashes.delete(path);
      else hashes.set(path, hash);
      changes.push({ path, deleted: hash === undefined });
    }
    if (changes.length > 0) queues.get(name)?.push(changes);
  });

  const watcher = watchPaths(
    paths,
    (path) => {
      if (ignoredByGit.some((ignored) => ignored(path))) return;
      for (const { service, match } of matchers)
        if (match(path).length > 0) debouncer.add(service.name, path);
    },
    (error) => options.onError?.(error),
  );
  options.onWatching?.();
  try {
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    watcher.close();
    debouncer.close();
    await Promise.all([...queues.values()].map((q) => q.idle()));
  }
}
