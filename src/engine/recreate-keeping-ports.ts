// A container replaced by a fresh one from the same service, on the host ports it holds now.
// Restarting a container whose ports the engine chose (throwaway stacks publish on free ports) would
// move them: the engine allocates free ports again at every start, and callers hold URLs with the old.
import type { ServiceSpec } from '../stack/model.ts';
import type { ContainerRef, Engine } from './engine.ts';
import type { ObservedContainer } from './observed-state.ts';

/**
 * Removes `current` and creates and starts a replica of `service` in its place, with its labels and
 * configuration hash (the next `up` sees it unchanged) and every port it published held at the same
 * host port. The engine hands out free ports in sequence, so a port just released is not handed to
 * anyone else in between.
 */
export async function recreateKeepingPorts(
  engine: Engine,
  current: ObservedContainer,
  service: ServiceSpec,
): Promise<ContainerRef> {
  const held = (await engine.inspect(current))?.bindings ?? {};
  await engine.remove(current);
  const fresh = await engine.create(service, {
    replica: current.replica,
    configHash: current.configHash,
    labels: current.labels,
    hostPorts: held,
  });
  await engine.start(fresh);
  return fresh;
}
