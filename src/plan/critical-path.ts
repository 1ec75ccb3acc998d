// The critical path of an `up`: from the service ready last, back through what each waited for (the
// stack's graph), always to the one that was ready last: the chain that decided the total.

import { stackGraph, waitedOn } from '../stack/graph.ts';
import type { Stack } from '../stack/model.ts';
import type { ServiceTimeline } from './events.ts';

export function criticalPath(stack: Stack, timeline: Readonly<Record<string, ServiceTimeline>>): string[] {
  const last = Object.entries(timeline).sort((a, b) => (b[1].readyAt ?? 0) - (a[1].readyAt ?? 0))[0];
  const graph = stackGraph(stack.services);
  const path: string[] = [];
  let current = last?.[0];
  while (current !== undefined && !path.includes(current)) {
    path.unshift(current);
    // What it waited for, through the graph or in its own way (requires: Kong and its migrations).
    const deps = [...waitedOn(graph, current), ...(graph.bringsAlong.get(current) ?? [])].filter(
      (d) => timeline[d] !== undefined,
    );
    current = deps.sort((a, b) => (timeline[b]?.readyAt ?? 0) - (timeline[a]?.readyAt ?? 0))[0];
  }
  return path;
}
