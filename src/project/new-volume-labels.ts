// The labels of the volumes `up` is about to create: each records the image of the service it is created
// for and, for a data volume, the product and version that created it (platform/data-volumes.ts). Read
// from the engine (the images), so worked out after planning and put into the plan's create-volume
// operations, which the executor carries out as they are.
import type { EngineConnection, Labels } from '../engine/engine.ts';
import type { Plan } from '../plan/plan.ts';
import { newVolumeLabels } from '../platform/data-volumes.ts';

/** The plan with each volume it creates labelled; a volume several services mount, for the first of them. */
export async function labelNewVolumes(engine: EngineConnection, plan: Plan): Promise<Plan> {
  const services = Object.values(plan.services).map((sp) => sp.service);
  const labels = new Map<string, Labels>();
  for (const op of plan.operations) {
    if (op.type !== 'create-volume') continue;
    const service = services.find((s) =>
      s.volumes.some((v) => v.kind === 'volume' && v.source === op.volume),
    );
    labels.set(op.volume, service ? await newVolumeLabels(engine, service) : {});
  }
  if (labels.size === 0) return plan;
  const operations = plan.operations.map((op) =>
    op.type === 'create-volume' ? { ...op, labels: labels.get(op.volume) ?? {} } : op,
  );
  return { ...plan, operations };
}
