// Undoes what a `mkdev run` left behind when mkdev died before its own clean-up: every invocation
// calls this (like reaping throwaway stacks), so nothing keeps pointing at a dead host process.
import type Docker from 'dockerode';
import { LABEL } from '../engine/labels.ts';
import { ownerIsGone, processStartTime } from '../engine/owner.ts';
import type { Stack } from '../stack/model.ts';
import { deregisterAt } from './consul-instances.ts';
import { signalGroup } from './host-process.ts';
import { type RunRecord, readRecords, removeRecord } from './run-record.ts';

function stopStrayProcess(record: RunRecord): void {
  const child = record.child;
  if (child === undefined || ownerIsGone(child)) return;
  if (processStartTime(child.pid) !== child.startTime) return;
  // SIGTERM to its process group (what `go run` started too): a scaffolded service deregisters itself on it.
  signalGroup(child.pid, 'SIGTERM');
}

export async function restartServiceContainers(
  docker: Docker,
  project: string,
  service: string,
): Promise<void> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL.project}=${project}`, `${LABEL.service}=${service}`] },
  });
  await Promise.all(
    list
      .filter((c) => c.State !== 'running')
      .map((c) =>
        docker
          .getContainer(c.Id)
          .start()
          .catch((e: { statusCode?: number }) => {
            if (e.statusCode !== 304) throw e;
          }),
      ),
  );
}

/** Repairs the project's host runs whose mkdev process is gone; returns the services repaired. */
export async function repairHostRuns(docker: Docker, stack: Stack): Promise<string[]> {
  const repaired: string[] = [];
  for (const record of readRecords(stack.projectDir, stack.project)) {
    if (!ownerIsGone(record.owner)) continue;
    stopStrayProcess(record);
    if (record.consulUrl) {
      await deregisterAt(record.consulUrl, record.address, record.port).catch(() => {});
    }
    await restartServiceContainers(docker, stack.project, record.service);
    removeRecord(stack.projectDir, stack.project, record.service);
    repaired.push(record.service);
  }
  return repaired;
}
