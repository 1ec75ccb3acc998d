// The order `down` stops a project's containers in, from their labels alone (down works without the
// stack file): dependents before what they depend on, as Compose does. So a service still reaches
// Consul to deregister itself, and Kong's clients go before Kong.
import { LABEL } from '../engine/labels.ts';
import { dependentsFirst } from '../stack/graph.ts';

export interface LabelledContainer {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

const serviceOf = (c: LabelledContainer) => c.labels[LABEL.service] ?? c.id;

function dependencies(containers: readonly LabelledContainer[]): Map<string, Set<string>> {
  const waitsOn = new Map<string, Set<string>>();
  for (const c of containers) {
    const deps = (c.labels[LABEL.dependsOn] ?? '').split(',').filter((d) => d !== '');
    waitsOn.set(serviceOf(c), new Set([...(waitsOn.get(serviceOf(c)) ?? []), ...deps]));
  }
  return waitsOn;
}

/** Waves of containers: every container of a wave can stop once the waves before it have. */
export function stopWaves<C extends LabelledContainer>(containers: readonly C[]): C[][] {
  const waitsOn = dependencies(containers);
  // A cycle (the stack model refuses them, but labels come from the engine) stops together, last.
  const waves = dependentsFirst([...waitsOn.keys()], (s) => waitsOn.get(s) ?? []);
  return waves.map((wave) => containers.filter((c) => wave.includes(serviceOf(c))));
}

/**
 * Stops every container once the services that depend on it have stopped, and no later: a wave
 * would hold Postgres and Consul back until RabbitMQ, which nothing needs, had finished its own
 * shutdown. The waves only break cycles: a service waits on its dependents in earlier waves.
 */
export async function stopDependentsFirst<C extends LabelledContainer>(
  containers: readonly C[],
  stop: (container: C) => Promise<unknown>,
): Promise<void> {
  const waitsOn = dependencies(containers);
  const waveOf = new Map<string, number>();
  stopWaves(containers).forEach((wave, i) => {
    for (const c of wave) waveOf.set(serviceOf(c), i);
  });
  const stopped = new Map<string, Promise<unknown>>();
  const stopService = (service: string): Promise<unknown> => {
    const known = stopped.get(service);
    if (known) return known;
    const wave = waveOf.get(service) ?? 0;
    const dependents = [...waitsOn.keys()].filter(
      (other) => waitsOn.get(other)?.has(service) && (waveOf.get(other) ?? 0) < wave,
    );
    const mine = containers.filter((c) => serviceOf(c) === service);
    const done = Promise.all(dependents.map(stopService)).then(() => Promise.all(mine.map(stop)));
    stopped.set(service, done);
    return done;
  };
  await Promise.all([...waitsOn.keys()].map(stopService));
}
