// The order `down` stops a project's containers in, from their labels alone (down works without the
// stack file): dependents before what they depend on, as Compose does. So a service still reaches
// Consul to deregister itself, and Kong's clients go before Kong.
import { LABEL } from '../engine/labels.ts';

export interface LabelledContainer {
  readonly Id: string;
  readonly Labels: Readonly<Record<string, string>>;
}

/** Waves of containers: every container of a wave can stop once the waves before it have. */
export function stopWaves<C extends LabelledContainer>(containers: readonly C[]): C[][] {
  const serviceOf = (c: C) => c.Labels[LABEL.service] ?? c.Id;
  const dependsOn = new Map<string, Set<string>>();
  for (const c of containers) {
    const deps = (c.Labels[LABEL.dependsOn] ?? '').split(',').filter((d) => d !== '');
    dependsOn.set(serviceOf(c), new Set([...(dependsOn.get(serviceOf(c)) ?? []), ...deps]));
  }
  const waves: C[][] = [];
  let left = [...containers];
  while (left.length > 0) {
    const running = new Set(left.map(serviceOf));
    // A service can stop when no service still running depends on it.
    const needed = new Set([...running].flatMap((s) => [...(dependsOn.get(s) ?? [])]));
    let wave = left.filter((c) => !needed.has(serviceOf(c)));
    // A cycle (the stack model refuses them, but labels come from the engine): stop the rest together.
    if (wave.length === 0) wave = left;
    waves.push(wave);
    left = left.filter((c) => !wave.includes(c));
  }
  return waves;
}
