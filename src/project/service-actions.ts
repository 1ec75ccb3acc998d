// What the dashboard's buttons do to one service: restart, stop, rebuild. Containers are found by
// label, as everywhere else; rebuild goes through bring-up, so it is exactly what `mkdev up` does.
import type { Engine } from '../engine/engine.ts';
import type { EventSink } from '../plan/events.ts';
import type { Stack } from '../stack/model.ts';
import { bringUp } from './bring-up.ts';
import { servicesOnHost } from './run-record.ts';

export type ServiceAction = 'restart' | 'stop' | 'rebuild';

export interface ActionTarget {
  readonly engine: Engine;
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
  const { engine } = target;
  const spec = target.stack.services[service];
  if (spec === undefined) throw new ActionRefused(`no service '${service}' in this stack`);
  const pid = servicesOnHost(target.stack.projectDir, target.stack.project).get(service);
  if (pid !== undefined && action !== 'stop') {
    // Its containers would serve beside the host process: they come back when `mkdev run` ends.
    throw new ActionRefused(
      `${service} runs on the host (mkdev run, pid ${pid}): its containers stay stopped until that command exits`,
    );
  }
  const containers = await engine.containers(service);
  if (action === 'rebuild') {
    if (!spec.build) throw new ActionRefused(`${service} is not built from a Dockerfile: nothing to rebuild`);
    // Stopped first (gracefully: a scaffolded service deregisters itself), then removed as every
    // container is (its anonymous volumes with it), then the image it was built into goes, so
    // bring-up builds it again and creates fresh containers from it.
    for (const c of containers) {
      if (c.state === 'running') await engine.stop(c);
      await engine.remove(c);
    }
    await engine.removeImage(spec.image);
    await bringUp({
      stack: target.stack,
      engine,
      host: target.host,
      services: [service],
      signal: target.signal,
      onEvent: target.onEvent ?? (() => {}),
    });
    return `${service} rebuilt and ready`;
  }
  if (containers.length === 0) throw new ActionRefused(`${service} has no container: run 'mkdev up'`);
  await Promise.all(containers.map((c) => (action === 'restart' ? engine.restart(c) : engine.stop(c))));
  return `${service} ${action === 'restart' ? 'restarted' : 'stopped'}`;
}
