// mkdev runs actions itself when a service reaches a milestone (after_completed, after_ready); Compose
// has nothing like that, so the export runs them inside the stack, in bash (the images concerned, Kong's,
// have no curl):
//   after_completed  appended to the one-shot job's own command: "$@" runs the original command, then
//                    the actions; the job exits 0 only when both succeeded. Its Consul KV flags are
//                    deleted first, as mkdev does, so a flag left by an earlier run (another database,
//                    another Kong version) does not release what waits for it before the job has run.
//   after_ready      a small one-shot service `<service>-after-ready`, in the service's image, started
//                    once the service is healthy.
// A Kong plugin that already exists is kept as it is (HTTP 409); mkdev itself updates its config.
import { UserError } from '../errors.ts';
import type { Action, ServiceSpec } from '../stack/model.ts';
import { bashRetryRequest } from './shell.ts';

/** Bash lines performing one action; `self` is the service the action belongs to. */
function actionScript(action: Action, self: string): string {
  switch (action.kind) {
    case 'consul_kv_put':
      return bashRetryRequest(
        {
          method: 'PUT',
          host: action.service,
          port: action.port,
          path: `/v1/kv/${action.key}`,
          body: action.value,
        },
        [200],
        `set Consul KV ${action.key}`,
      );
    case 'kong_plugin':
      return bashRetryRequest(
        {
          method: 'POST',
          host: self,
          port: action.port,
          path: '/plugins',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: action.name, ...(action.config ? { config: action.config } : {}) }),
        },
        [201, 409],
        `enable Kong plugin ${action.name}`,
      );
  }
}

/** Bash lines deleting the Consul KV flag a consul_kv_put sets; nothing for other actions. */
function clearFlagScript(action: Action): string[] {
  if (action.kind !== 'consul_kv_put') return [];
  return [
    bashRetryRequest(
      { method: 'DELETE', host: action.service, port: action.port, path: `/v1/kv/${action.key}` },
      [200],
      `clear Consul KV ${action.key}`,
    ),
  ];
}

/**
 * The command and entrypoint of a one-shot job with its after_completed actions appended. The
 * original argv is passed to the wrapper as "$@", so it runs exactly as before.
 */
export function withAfterCompleted(service: ServiceSpec): {
  command?: readonly string[];
  entrypoint?: readonly string[];
} {
  const original = {
    ...(service.command ? { command: service.command } : {}),
    ...(service.entrypoint ? { entrypoint: service.entrypoint } : {}),
  };
  if (service.afterCompleted.length === 0) return original;
  const script = [
    ...service.afterCompleted.flatMap(clearFlagScript),
    '"$@" || exit',
    ...service.afterCompleted.map((a) => actionScript(a, service.name)),
  ].join('\n');
  const wrapper = ['bash', '-c', script, service.name];
  // With an entrypoint of its own, the wrapper becomes the entrypoint and takes the old one as
  // arguments (the command follows it, as Docker concatenates them).
  if (service.entrypoint) return { ...original, entrypoint: [...wrapper, ...service.entrypoint] };
  // Otherwise the image's entrypoint runs the wrapper as it ran the command (Kong's execs it).
  if (service.command) return { command: [...wrapper, ...service.command] };
  throw new UserError(
    `${service.source}: cannot export after_completed of '${service.name}': it has neither command nor entrypoint to run before the actions`,
    { hint: 'give the service an explicit command' },
  );
}

export const afterReadyName = (service: string) => `${service}-after-ready`;

/** The entrypoint of the `<service>-after-ready` one-shot service. */
export function afterReadyEntrypoint(service: ServiceSpec): readonly string[] {
  return ['bash', '-c', service.afterReady.map((a) => actionScript(a, service.name)).join('\n')];
}
