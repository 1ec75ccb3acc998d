// The stack's exported endpoints (`exports:` in the stack file), filled in from what runs: the
// engine's host, the published ports, and the service's own environment.
import { firstRunning, type ObservedContainers } from '../engine/observed-state.ts';
import type { Stack } from '../stack/model.ts';

export interface Endpoint {
  readonly service: string;
  readonly name: string;
  readonly value: string;
}

export function resolveEndpoints(stack: Stack, observed: ObservedContainers, host: string): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const service of Object.values(stack.services)) {
    const running = firstRunning(observed, service.name);
    if (running === undefined) continue;
    for (const [name, template] of Object.entries(service.exports)) {
      let missing = false;
      const value = template.replace(
        /\{\{\s*([a-z]+)(?::([^}\s]+))?\s*\}\}/g,
        (_, kind: string, arg?: string) => {
          if (kind === 'host') return host;
          if (kind === 'port') {
            const [port, protocol = 'tcp'] = (arg ?? '').split('/');
            const published = running.ports[`${port}/${protocol}`];
            if (published === undefined) missing = true;
            return String(published ?? '');
          }
          if (kind === 'env') return service.env[arg ?? ''] ?? '';
          return '';
        },
      );
      if (!missing) endpoints.push({ service: service.name, name, value });
    }
  }
  return endpoints;
}
