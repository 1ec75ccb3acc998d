// One replica's operations, from what the plan decided for it (service-plan.ts): kept, started,
// created and started, removed, or recreated as stop -> remove -> create -> start (stopped first: a
// service deregisters itself from Consul on SIGTERM, where a forced removal would leave it listed).
import { containerName } from '../engine/names.ts';
import type { Builder } from './operation-builder.ts';
import type { Operation } from './operations.ts';
import type { ContainerStep, ServicePlan } from './service-plan.ts';

/** One replica's operations; returns the last one (for a replica kept or started: its container's). */
export function replicaOperations(
  b: Builder,
  project: string,
  sp: ServicePlan,
  step: ContainerStep,
  after: readonly number[],
  priority: number,
): number {
  const name = sp.service.name;
  const on = {
    services: [name],
    service: name,
    replica: step.replica,
    resource: containerName(project, name, step.replica),
  };
  const create = (cause: string, first: readonly number[], report?: Operation['report']) => {
    const created = b.add({
      type: 'create-container',
      ...on,
      configHash: sp.configHash,
      priority,
      cause,
      after: first,
      ...(report ? { report } : {}),
    });
    return b.add({
      type: 'start-container',
      ...on,
      container: { createdBy: created },
      priority,
      cause: 'created',
      after: [created],
    });
  };
  switch (step.kind) {
    case 'keep': {
      const message = step.completed ? 'completed earlier, unchanged' : 'running, unchanged';
      return b.add({
        type: 'keep-container',
        ...on,
        containerId: step.containerId,
        ports: step.ports,
        cause: message,
        after,
        report: { step: 'kept', message },
      });
    }
    case 'start':
      return b.add({
        type: 'start-container',
        ...on,
        container: { id: step.containerId },
        priority,
        cause: 'stopped',
        after,
        report: { step: 'start', message: 'starting existing container' },
      });
    case 'create':
      return create('no container', after, { step: 'create', message: 'creating' });
    case 'remove': {
      // Stopped first (SIGTERM), so that the replica leaves as on `mkdev down`: a scaffolded service
      // deregisters from Consul. Removed by force straight away it was SIGKILLed and stayed registered,
      // and Kong, from the answer it still had, sent requests to an address gone for good, where a
      // connect waits for the service's connect_timeout (60 s) before the retry.
      const stopped = b.add({
        type: 'stop-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after,
        report: { step: 'remove', message: `removing replica ${step.replica} (${step.reason})` },
      });
      return b.add({
        type: 'remove-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after: [stopped],
      });
    }
    case 'recreate': {
      const stopped = b.add({
        type: 'stop-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after,
        report: { step: 'recreate', message: `recreating (${step.reason})` },
      });
      const removed = b.add({
        type: 'remove-container',
        ...on,
        containerId: step.containerId,
        cause: step.reason,
        after: [stopped],
      });
      return create(step.reason, [removed]);
    }
  }
}
