// From each service's decisions (plan.ts) to operations (operations.ts). Everything the executor
// used to work out as it went is decided here, once, and purely: image work once per image; the
// network and volumes before the containers that need them; then each service, after what it waits
// for, with its own operations (service-operations.ts: waits, a job's flags, replicas, readiness,
// actions, milestones).
import type { ImageNeed } from '../engine/engine.ts';
import { networkName, volumeName } from '../engine/names.ts';
import { stackGraph, waitedOn } from '../stack/graph.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { Builder } from './operation-builder.ts';
import type { Operation } from './operations.ts';
import { onHostOperations, serviceOperations } from './service-operations.ts';
import type { ServicePlan } from './service-plan.ts';

export interface InfraNeeds {
  readonly createNetwork: boolean;
  readonly createVolumes: readonly string[];
}

export function planOperations(
  project: string,
  services: Readonly<Record<string, ServicePlan>>,
  infra: InfraNeeds,
): Operation[] {
  const b = new Builder();
  const all = Object.keys(services);
  const network = infra.createNetwork
    ? b.add({
        type: 'create-network',
        services: all,
        resource: networkName(project),
        cause: 'not found',
        after: [],
      })
    : undefined;
  const volumes = new Map(
    infra.createVolumes.map((v) => [
      v,
      b.add({
        type: 'create-volume',
        volume: v,
        services: all.filter((n) => mounts(services[n]?.service, v)),
        resource: volumeName(project, v),
        cause: 'not found',
        after: [],
      }),
    ]),
  );
  const images = imageOperations(b, services);
  for (const name of waitsFirst(services)) {
    const sp = services[name] as ServicePlan;
    if (sp.onHost !== undefined) {
      onHostOperations(b, sp, sp.onHost);
      continue;
    }
    const infraFirst = [
      ...(network === undefined ? [] : [network]),
      ...sp.service.volumes.flatMap((v) =>
        v.kind === 'volume' && volumes.has(v.source) ? [volumes.get(v.source) as number] : [],
      ),
    ];
    serviceOperations(
      b,
      project,
      sp,
      [images.get(sp.service.image) as number, ...infraFirst],
      all.indexOf(name),
    );
  }
  return b.operations;
}

function mounts(service: ServiceSpec | undefined, volume: string): boolean {
  return service?.volumes.some((v) => v.kind === 'volume' && v.source === volume) ?? false;
}

/** One operation per image, for every service that uses it; the first need that is work decides. */
function imageOperations(b: Builder, services: Readonly<Record<string, ServicePlan>>): Map<string, number> {
  const byImage = new Map<string, ServicePlan[]>();
  for (const sp of Object.values(services)) {
    if (sp.onHost !== undefined) continue;
    byImage.set(sp.service.image, [...(byImage.get(sp.service.image) ?? []), sp]);
  }
  return new Map(
    [...byImage].map(([image, users]) => {
      const first = users.find((sp) => sp.image !== 'present') ?? (users[0] as ServicePlan);
      const need: ImageNeed = { service: first.service, step: first.image, buildHash: first.buildHash };
      const id = b.add({
        type: 'ensure-image',
        need,
        services: users.map((sp) => sp.service.name),
        resource: image,
        cause: first.imageCause,
        after: [],
      });
      return [image, id];
    }),
  );
}

/** Services in an order where each comes after what it waits for (the stack refuses cycles), else as declared. */
function waitsFirst(services: Readonly<Record<string, ServicePlan>>): string[] {
  const graph = stackGraph(Object.fromEntries(Object.entries(services).map(([n, sp]) => [n, sp.service])));
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || !(name in services)) return;
    for (const dep of waitedOn(graph, name)) if (dep !== name) visit(dep);
    if (!order.includes(name)) order.push(name);
  };
  for (const name of Object.keys(services)) visit(name);
  return order;
}
