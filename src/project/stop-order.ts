// The order `down` stops a project's containers in, from their labels alone (down works without the
// stack file): dependents before what they depend on, as Compose does. So a service still reaches
// Consul to deregister itself, and Kong's clients go before Kong.
import { LABEL } from '../engine/labels.ts';
import { dependentsFirst } from '../stack/graph.ts';

export interface LabelledContainer {
  readonly Id: string;
  readonly Labels: Readonly<Record<string, string>>;
}

/** Waves of containers: every container of a wave can stop once the waves before it have. */
export function stopWaves<C extends LabelledContainer>(containers: readonly C[]): C[][] {
  const serviceOf = (c: C) => c.Labels[LABEL.service] ?? c.Id;
  const waitsOn = new Map<string, Set<string>>();
  for (const c of containers) {
    const deps = (c.Labels[LABEL.dependsOn] ?? '').split(',').filter((d) => d !== '');
    waitsOn.set(serviceOf(c), new Set([...(waitsOn.get(serviceOf(c)) ?? []), ...deps]));
  }
  // A cycle (the stack model refuses them, but labels come from the engine) stops together, last.
  const waves = dependentsFirst([...waitsOn.keys()], (s) => waitsOn.get(s) ?? []);
  return waves.map((wave) => containers.filter((c) => wave.includes(serviceOf(c))));
}
