// Watch's start: the stack brought up through bring-up, except that a running container whose only
// drift is files its rules sync gets those files synced (the initial sync) instead of a rebuild.
import { join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { type ServiceHashes, stackHashes } from '../plan/config-hash.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { type BatchPlan, planBatch } from './batch-plan.ts';
import { changedFiles, currentFiles, readSyncedState, serviceBase } from './synced-state.ts';
import { watchedServices } from './watched-services.ts';

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
  // Only the watched services' images matter here (which build each container runs).
  const observed = await engine.observe(services.map((s) => s.image));
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

export interface WatchStart {
  readonly services: readonly ServiceSpec[];
  readonly start: StartPlan;
}

/**
 * What `mkdev watch` and `mkdev up --watch` both work out before bring-up: the services (a name
 * without rules fails here, before anything starts) and the start plan bring-up then follows.
 */
export async function prepareWatch(
  engine: Engine,
  stack: Stack,
  names: readonly string[],
): Promise<WatchStart> {
  const services = watchedServices(stack, names);
  return { services, start: await planStart(engine, stack, services) };
}
