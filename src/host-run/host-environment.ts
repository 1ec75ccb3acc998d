// The environment of a host run: the service's own, with container addresses rewritten to published
// ports, PORT a free port, where to listen (BIND_ADDRESS) and the address Consul hands to Kong
// (SERVICE_ADDRESS: host.docker.internal as the project network resolves it, engine/host-address.ts).
import { join } from 'node:path';
import { firstRunning, type ObservedState } from '../engine/observed-state.ts';
import { roleUrl } from '../platform/role-urls.ts';
import { resolveEndpoints } from '../project/endpoints.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { rewriteForHost } from './host-env.ts';

export interface HostEnvironment {
  readonly env: Record<string, string>;
  readonly unresolved: readonly string[];
  /** The discovery service's HTTP API from the host, when its holder runs and publishes it. */
  readonly consulUrl: string | undefined;
}

export function hostEnvironment(
  stack: Stack,
  service: ServiceSpec,
  observed: ObservedState,
  host: string,
  listen: { address: string; bind: string; port: number },
): HostEnvironment {
  const published = (name: string, port: number) => firstRunning(observed, name)?.ports[`${port}/tcp`];
  const { env, unresolved } = rewriteForHost(service.env, Object.keys(stack.services), published, host);
  return {
    env: {
      // The stack's endpoints (as `mkdev env` prints them), then the service's own environment.
      ...Object.fromEntries(resolveEndpoints(stack, observed, host).map((e) => [e.name, e.value])),
      // Node's compile cache, kept in the project's .mkdev/ across runs (Node ignores an unwritable one,
      // and other runtimes the variable): a Node service's start, which is the swap in, compiles its
      // modules (its TypeScript stripped) once, not at every `mkdev run`. Yours, or the service's, first.
      NODE_COMPILE_CACHE:
        process.env.NODE_COMPILE_CACHE || join(stack.projectDir, '.mkdev', 'node-compile-cache'),
      ...env,
      PORT: String(listen.port),
      // Honoured by the scaffolded services and mkdev/register: the address Consul hands to Kong.
      SERVICE_ADDRESS: listen.address,
      // Where the scaffolded services listen: that address only, not every interface of the host.
      BIND_ADDRESS: listen.bind,
    },
    unresolved,
    consulUrl: roleUrl(stack, observed, host, 'discovery', 'http'),
  };
}
