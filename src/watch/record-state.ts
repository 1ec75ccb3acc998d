// Keeps the synced state (synced-state.ts) true to what the containers hold: everything at the start
// and after a rebuild, the copied files after a sync. An aborted or failed batch records nothing.
import { relative } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import type { ChangeReport } from './apply-batch.ts';
import type { BatchPlan } from './batch-plan.ts';
import { hashFile } from './file-hashes.ts';
import { toPosix } from './path-filter.ts';
import { currentFiles, type SyncedState, serviceBase, writeSyncedState } from './synced-state.ts';

/** After start: every watched service's containers hold the current files. */
export async function recordAll(
  engine: Engine,
  stack: Stack,
  services: readonly ServiceSpec[],
  state: SyncedState,
): Promise<void> {
  const observed = await engine.observe([]);
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
