// Watch's start: the stack brought up through bring-up, except that a running container whose only
// drift is files its rules sync gets those files synced (the initial sync) instead of a rebuild.
import { join, relative } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { type ServiceHashes, stackHashes } from '../plan/config-hash.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import type { ChangeReport } from './apply-batch.ts';
import { type BatchPlan, planBatch } from './batch-plan.ts';
import { hashFile } from './file-hashes.ts';
import { toPosix } from './path-filter.ts';
import {
  changedFiles,
  currentFiles,
  readSyncedState,
  type SyncedState,
  serviceBase,
  writeSyncedState,
} from './synced-state.ts';

export interface StartPlan {
  /** Hash overrides for bring-up: containers (and their image) kept although their build context changed. */
  readonly hashes: Record<string, ServiceHashes>;
  /** Batches to apply once the stack is up. */
  readonly initialSync: BatchPlan[];
}

/** Decides, per watched service, between "in sync", "initial sync" and "let bring-up rebuild". */
export async function planStart(
  engine: Engine,
  stack: Stack,
  services: readonly ServiceSpec[],
): Promise<StartPlan> {
  const observed = await engine.observe();
  const hashes = stackHashes(stack);
  const state = readSyncedState(stack);
  const result: StartPlan = { hashes: {}, initialSync: [] };
  for (const service of services) {
    const containers = observed.containers.filter((c) => c.service === service.name);
    const labelHash = containers[0]?.configHash;
    if (
      labelHash === undefined ||
      containers.some((c) => c.state !== 'running' || c.configHash !== labelHash)
    )
      continue;
    if (labelHash === hashes[service.name]?.config) continue;
    const record = state[service.name];
    const ids = containers.map((c) => c.id).sort();
    if (record === undefined || record.containers.join() !== ids.join()) continue;
    const now = currentFiles(service, stack.projectDir);
    const changed = changedFiles(record.files, now);
    const base = serviceBase(service, stack.projectDir);
    const plan = planBatch(
      service,
      changed.map((rel) => ({ path: join(base, rel), deleted: !(rel in now) })),
      stack.projectDir,
    );
    if (
      changed.length > 0 &&
      (plan === undefined || plan.action === 'rebuild' || plan.files.length !== changed.length)
    )
      continue;
    result.hashes[service.name] = { config: labelHash, build: observed.builtFor.get(service.image) ?? '' };
    if (plan) result.initialSync.push(plan);
  }
  return result;
}

/** After start: every watched service's containers hold the current files. */
export async function recordAll(
  engine: Engine,
  stack: Stack,
  services: readonly ServiceSpec[],
  state: SyncedState,
): Promise<void> {
  const observed = await engine.observe();
  for (const service of services) {
    state[service.name] = {
      containers: observed.containers
        .filter((c) => c.service === service.name)
        .map((c) => c.id)
        .sort(),
      files: currentFiles(service, stack.projectDir),
    };
  }
  writeSyncedState(stack, state);
}

/** After a batch: a rebuild starts over from the context; a sync adds what it copied. */
export async function recordBatch(
  engine: Engine,
  stack: Stack,
  service: ServiceSpec,
  plan: BatchPlan,
  report: ChangeReport,
  state: SyncedState,
): Promise<void> {
  if (plan.action === 'rebuild') {
    if (report.ok && report.skipped === undefined) await recordAll(engine, stack, [service], state);
    return;
  }
  const record = state[service.name];
  if (record === undefined || report.syncedMs === undefined) return;
  const base = serviceBase(service, stack.projectDir);
  const files = { ...record.files };
  for (const item of plan.sync) {
    const rel = toPosix(relative(base, item.path));
    const hash = item.deleted ? undefined : hashFile(item.path);
    if (hash === undefined) delete files[rel];
    else files[rel] = hash;
  }
  state[service.name] = { ...record, files };
  writeSyncedState(stack, state);
}
