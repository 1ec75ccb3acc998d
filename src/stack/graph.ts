// The one dependency graph of a stack. Every consumer (the load-time cycle check, the selection of
// `up <service>`, the stop order of `down`, the critical path, the Compose export) reads its edges
// here, so they cannot disagree about what waits for what.
//   waits for      depends_on, plus every service an action acts on: a consul_kv_put runs once its
//                  target is ready, so the acting service's own milestone waits for that target.
//   brings along   requires: started together, never waited for (Kong and its migrations).
import type { Action, DependencyCondition, ServiceSpec } from './model.ts';

export interface WaitEdge {
  readonly on: string;
  readonly condition: DependencyCondition;
  /** Where the edge comes from, for messages and for the export (each runs at its own moment). */
  readonly via: 'depends_on' | 'after_ready' | 'after_completed';
}

export interface StackGraph {
  readonly waitsFor: ReadonlyMap<string, readonly WaitEdge[]>;
  readonly bringsAlong: ReadonlyMap<string, readonly string[]>;
}

/** The services an action talks to (besides its own service). */
function actionTargets(actions: readonly Action[]): string[] {
  return [...new Set(actions.flatMap((a) => (a.kind === 'consul_kv_put' ? [a.service] : [])))];
}

export function waitEdges(service: ServiceSpec): WaitEdge[] {
  const edges: WaitEdge[] = Object.entries(service.dependsOn).map(([on, condition]) => ({
    on,
    condition,
    via: 'depends_on',
  }));
  for (const via of ['after_ready', 'after_completed'] as const) {
    const actions = via === 'after_ready' ? service.afterReady : service.afterCompleted;
    for (const on of actionTargets(actions)) edges.push({ on, condition: 'ready', via });
  }
  return edges;
}

export function stackGraph(services: Readonly<Record<string, ServiceSpec>>): StackGraph {
  const all = Object.values(services);
  return {
    waitsFor: new Map(all.map((s) => [s.name, waitEdges(s)])),
    bringsAlong: new Map(all.map((s) => [s.name, s.requires])),
  };
}

/** The services a service waits for, by name. */
export function waitedOn(graph: StackGraph, service: string): string[] {
  return [...new Set((graph.waitsFor.get(service) ?? []).map((e) => e.on))];
}

/** The asked-for services and everything they wait for or bring along, in the graph's order. */
export function closure(graph: StackGraph, requested: readonly string[]): string[] {
  const chosen = new Set<string>();
  const add = (name: string) => {
    if (chosen.has(name)) return;
    chosen.add(name);
    for (const next of [...waitedOn(graph, name), ...(graph.bringsAlong.get(name) ?? [])]) add(next);
  };
  for (const name of requested) add(name);
  return [...graph.waitsFor.keys()].filter((n) => chosen.has(n));
}

/** A chain of waits that comes back to where it started (a -> b -> a), or undefined. */
export function findCycle(graph: StackGraph): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of waitedOn(graph, name)) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of graph.waitsFor.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Waves, dependents first: every node of a wave can go once the waves before it have (the order `down`
 * stops in). A cycle cannot be ordered: its nodes share the last wave.
 */
export function dependentsFirst(
  nodes: readonly string[],
  waitsOn: (node: string) => Iterable<string>,
): string[][] {
  const waves: string[][] = [];
  let left = [...nodes];
  while (left.length > 0) {
    // A node can go when no node still left waits on it.
    const needed = new Set(left.flatMap((n) => [...waitsOn(n)]));
    let wave = left.filter((n) => !needed.has(n));
    if (wave.length === 0) wave = left;
    waves.push(wave);
    left = left.filter((n) => !wave.includes(n));
  }
  return waves;
}
