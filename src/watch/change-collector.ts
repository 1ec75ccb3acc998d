// From touched paths to each service's changed files: paths no rule wants (ignored, .gitignore'd, or
// outside every rule) are dropped at once; the rest wait per service until quiet for the debounce,
// then only files whose content differs from what was last seen make a batch.
import type { ServiceSpec } from '../stack/model.ts';
import { type FileChange, ruleMatcher } from './batch-plan.ts';
import type { Clock } from './clock.ts';
import { Debouncer } from './debouncer.ts';
import { hashFile, snapshot } from './file-hashes.ts';
import { gitignoreTest } from './path-filter.ts';

export interface ChangeCollector {
  /** A path the watcher says was touched. */
  add(path: string): void;
  /** Drops what is still waiting for the debounce: it is never handed on. */
  close(): void;
}

/** Reads the files' baseline now: a change is counted against what the files held at this call. */
export function collectChanges(
  services: readonly ServiceSpec[],
  projectDir: string,
  options: {
    readonly debounceMs: number;
    readonly clock: Clock;
    readonly onBatch: (service: string, changes: FileChange[]) => void;
  },
): ChangeCollector {
  const known = new Map(services.map((s) => [s.name, snapshot(s.watch.map((r) => r.path))]));
  const matchers = services.map((s) => ({ service: s, match: ruleMatcher(s.watch) }));
  const rulePaths = [...new Set(services.flatMap((s) => s.watch.map((r) => r.path)))];
  const ignoredByGit = rulePaths.map((p) => gitignoreTest(projectDir, p));

  const debouncer = new Debouncer<string>(
    options.debounceMs,
    (name, touched) => {
      const changes: FileChange[] = [];
      const hashes = known.get(name) ?? new Map<string, string>();
      for (const path of touched) {
        const hash = hashFile(path);
        if (hash === hashes.get(path)) continue; // same content, or still absent
        if (hash === undefined) hashes.delete(path);
        else hashes.set(path, hash);
        changes.push({ path, deleted: hash === undefined });
      }
      if (changes.length > 0) options.onBatch(name, changes);
    },
    options.clock,
  );

  return {
    add: (path) => {
      if (ignoredByGit.some((ignored) => ignored(path))) return;
      for (const { service, match } of matchers)
        if (match(path).length > 0) debouncer.add(service.name, path);
    },
    close: () => debouncer.close(),
  };
}
