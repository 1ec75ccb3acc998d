// What each watched service's containers hold, file by file, so a later `mkdev watch` can tell which
// files changed while nobody watched: synced at start when its rules sync them all (the "initial
// sync"), rebuilt otherwise. Kept in <projectDir>/.mkdev/watch/<project>.json.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { contextFiles } from '../engine/build-context.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { filesUnder, hashFile } from './file-hashes.ts';
import { toPosix } from './path-filter.ts';

export interface ServiceState {
  /** The containers (ids) these files are in: another container starts from its image instead. */
  readonly containers: readonly string[];
  /** File (relative to the service's base) -> content hash. */
  readonly files: Readonly<Record<string, string>>;
}

export type SyncedState = Record<string, ServiceState>;

function stateFile(stack: Stack): string {
  return join(stack.projectDir, '.mkdev', 'watch', `${stack.project}.json`);
}

/** The build context for built services (what the image holds), else the rules' own paths. */
export function serviceBase(service: ServiceSpec, projectDir: string): string {
  return service.build?.context ?? projectDir;
}

/** The service's files as they are now: its build context, or the files under its rules. */
export function currentFiles(service: ServiceSpec, projectDir: string): Record<string, string> {
  const base = serviceBase(service, projectDir);
  const files = service.build
    ? contextFiles(base).map((rel) => join(base, rel))
    : service.watch.flatMap((r) => filesUnder(r.path));
  const out: Record<string, string> = {};
  for (const file of files) {
    const hash = hashFile(file);
    if (hash !== undefined) out[toPosix(relative(base, file))] = hash;
  }
  return out;
}

export function readSyncedState(stack: Stack): SyncedState {
  try {
    return JSON.parse(readFileSync(stateFile(stack), 'utf8')) as SyncedState;
  } catch {
    return {};
  }
}

export function writeSyncedState(stack: Stack, state: SyncedState): void {
  const file = stateFile(stack);
  mkdirSync(join(file, '..'), { recursive: true });
  // Written beside and renamed: a Ctrl-C never leaves half a file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Files whose content differs between two states (either side missing counts). */
export function changedFiles(
  before: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(now)]);
  return [...names].filter((n) => before[n] !== now[n]).sort();
}
