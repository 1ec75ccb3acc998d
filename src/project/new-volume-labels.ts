// The labels of the volumes `up` is about to create: each records the image of the service it is created
// for and, for a data volume, the product and version that created it (platform/data-volumes.ts).
import type Docker from 'dockerode';
import type { Plan } from '../plan/plan.ts';
import { newVolumeLabels } from '../platform/data-volumes.ts';

/** Stack volume name -> labels; a volume several services mount is labelled for the first of them. */
export async function labelsForNewVolumes(
  docker: Docker,
  plan: Plan,
): Promise<Record<string, Record<string, string>>> {
  const services = Object.values(plan.services).map((sp) => sp.service);
  const entries = await Promise.all(
    plan.createVolumes.map(async (volume) => {
      const service = services.find((s) => s.volumes.some((v) => v.kind === 'volume' && v.source === volume));
      return [volume, service ? await newVolumeLabels(docker, service) : {}] as const;
    }),
  );
  return Object.fromEntries(entries);
}
