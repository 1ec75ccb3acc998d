// Undoes what a `mkdev run` left behind when mkdev died before its own clean-up: every invocation
// calls this (like reaping throwaway stacks), so nothing keeps pointing at a dead host process.
import type { Engine } from '../engine/engine.ts';
import { ownerIsGone, processStartTime } from '../engine/owner.ts';
import { type RunRecord, readRecords, removeRecord } from '../project/run-record.ts';
import type { Stack } from '../stack/model.ts';
import { deregisterAt } from './consul-instances.ts';
import { isParked, unpark } from './park.ts';

function stopStrayProcess(record: RunRecord): void {
  const child = record.child;
  if (child === undefined || ownerIsGone(child)) return;
  if (processStartTime(child.pid) !== child.startTime) return;
  // SIGTERM: a scaffolded service deregisters itself on it. To its whole process group (host-process.ts
  // starts the command as a group's leader), else to the process alone (a record of an older mkdev).
  for (const target of [-child.pid, child.pid]) {
    try {
      process.kill(target, 'SIGTERM');
      return;
    } catch {
      // not a group leader, or gone meanwhile
    }
  }
}

/** Starts the service's containers that do not run, and the process of those parked (a `mkdev run` did either). */
async function restartServiceContainers(engine: Engine, service: string): Promise<void> {
  await Promise.all(
    (await engine.containers(service)).map(async (c) => {
      if (c.state !== 'running') await engine.start(c);
      else if (await isParked(engine, c)) await unpark(engine, c);
    }),
  );
}

/** Repairs the project's host runs whose mkdev process is gone; returns the services repaired. */
export async function repairHostRuns(engine: Engine, stack: Stack): Promise<string[]> {
  const repaired: string[] = [];
  for (const record of readRecords(stack.projectDir, stack.project)) {
    if (!ownerIsGone(record.owner)) continue;
    stopStrayProcess(record);
    if (record.consulUrl) {
      await deregisterAt(record.consulUrl, record.address, record.port).catch(() => {});
    }
    await restartServiceContainers(engine, record.service);
    removeRecord(stack.projectDir, stack.project, record.service);
    repaired.push(record.service);
  }
  return repaired;
}
