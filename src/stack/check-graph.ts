// Cross-service checks the schema cannot make: dependencies name real services, form no cycle, and
// actions point at services that exist.
import { UserError } from '../errors.ts';
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
        );
      }
    }
    for (const action of [...service.afterReady, ...service.afterCompleted]) {
      if (action.kind === 'consul_kv_put' && services[action.service] === undefined) {
        throw new UserError(`${service.source}: action on '${action.service}', which is not a service`);
      }
    }
  }
  const cycle = findCycle(services);
  if (cycle) {
    throw new UserError(`dependency cycle: ${cycle.join(' -> ')}`, {
      hint: 'remove one of these depends_on entries',
    });
  }
}

function findCycle(services: Readonly<Record<string, ServiceSpec>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
