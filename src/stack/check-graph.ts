// Cross-service checks the schema cannot make: dependencies name real services, actions point at
// services that exist, and no chain of waits (depends_on or actions, see graph.ts) comes back on itself.
import { UserError } from '../errors.ts';
import { findCycle, type StackGraph, stackGraph } from './graph.ts';
import type { ServiceSpec } from './model.ts';

export function checkGraph(services: Readonly<Record<string, ServiceSpec>>): void {
  for (const service of Object.values(services)) {
    for (const [dep, condition] of Object.entries(service.dependsOn)) {
      const target = services[dep];
      if (target === undefined) {
        throw new UserError(
          `${service.source}: '${service.name}' depends on '${dep}', which is not a service`,
          {
            hint: `services are: ${Object.keys(services).join(', ')}`,
          },
        );
      }
      if (condition === 'completed' && !target.oneShot) {
        throw new UserError(
          `${service.source}: '${service.name}' waits for '${dep}' to complete, but '${dep}' is not a one_shot job`,
          { hint: `use condition: ready, or set one_shot: true on '${dep}'` },
        );
      }
    }
    for (const required of service.requires) {
      if (services[required] === undefined) {
        throw new UserError(
          `${service.source}: '${service.name}' requires '${required}', which is not a service`,
          { hint: `services are: ${Object.keys(services).join(', ')}` },
        );
      }
    }
    for (const action of [...service.afterReady, ...service.afterCompleted]) {
      if (action.kind === 'consul_kv_put' && services[action.service] === undefined) {
        throw new UserError(`${service.source}: action on '${action.service}', which is not a service`, {
          hint: `name one of: ${Object.keys(services).join(', ')}`,
        });
      }
    }
  }
  const graph = stackGraph(services);
  const cycle = findCycle(graph);
  if (cycle) {
    throw new UserError(`dependency cycle: ${cycle.join(' -> ')}`, {
      hint: `break one of these waits: ${describeCycle(graph, cycle).join('; ')}`,
    });
  }
}

/** Each link of a cycle as the stack file says it: a depends_on entry or an action on another service. */
function describeCycle(graph: StackGraph, cycle: readonly string[]): string[] {
  return cycle.slice(1).map((on, i) => {
    const from = cycle[i] as string;
    const edge = graph.waitsFor.get(from)?.find((e) => e.on === on);
    return edge?.via === 'depends_on' || edge === undefined
      ? `'${from}' depends_on '${on}'`
      : `${edge.via} action of '${from}' on '${on}'`;
  });
}
