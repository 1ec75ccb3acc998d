// What the dashboard's buttons do to one service: restart, stop, rebuild. Containers are found by
// label, as everywhere else; rebuild goes through bring-up, so it is exactly what `mkdev up` does.
import type Docker from 'dockerode';
import { STOP_GRACE_SECONDS } from '../engine/container-lifecycle.ts';
import { DockerConnection } from '../engine/docker-connection.ts';
import { observeProject } from '../engine/observe.ts';
import { ignoring, isNotFound, isNotModified } from '../errors.ts';
import type { EventSink } from '../plan/events.ts';
import type { Stack } from '../stack/model.ts';
import { bringUp } from './bring-up.ts';

export type ServiceAction = 'restart' | 'stop' | 'rebuild';

export interface ActionTarget {
  readonly docker: Docker;
  readonly stack: Stack;
  readonly host: string;
  readonly signal: AbortSignal;
  readonly onEvent?: EventSink;
}

/** The action is not possible for this service: the message says why. */
export class ActionRefused extends Error {}

export async function runServiceAction(
  target: ActionTarget,
  service: string,
  action: ServiceAction,
): Promise<string> {
  const spec = target.stack.services[service];
  if (spec === undefined) throw new ActionRefused(`no service '${service}' in this stack`);
  const containers = (await observeProject(target.docker, target.stack.project)).containers.filter(
    (c) => c.service === service,
  );
  if (action === 'rebuild') {
    if (!spec.build) throw new ActionRefused(`${service} is not built from a Dockerfile: nothing to rebuild`);
    // Stopped first (gracefully: a scaffolded service deregisters itself), then the image it was
    // built into goes, so bring-up builds it again and creates fresh containers from it.
    for (const c of containers) {
      const container = target.docker.getContainer(c.id);
      if (c.state === 'running')
        await container.stop({ t: STOP_GRACE_SECONDS }).catch(ignoring(isNotModified));
      await container.remove({ force: true }).catch(ignoring(isNotFound));
    }
    await target.docker.getImage(spec.image).remove({ force: true }).catch(ignoring(isNotFound));
    await bringUp({
      stack: target.stack,
      engine: new DockerConnection(target.docker).project(target.stack.project),
      host: target.host,
      services: [service],
      signal: target.signal,
      onEvent: target.onEvent ?? (() => {}),
    });
    return `${service} rebuilt and ready`;
  }
  if (containers.length === 0) throw new ActionRefused(`${service} has no container: run 'mkdev up'`);
  await Promise.all(
    containers.map((c) =>
      action === 'restart'
        ? target.docker.getContainer(c.id).restart({ t: STOP_GRACE_SECONDS })
        : target.docker.getContainer(c.id).stop({ t: STOP_GRACE_SECONDS }).catch(ignoring(isNotModified)),
    ),
  );
  return `${service} ${action === 'restart' ? 'restarted' : 'stopped'}`;
}
