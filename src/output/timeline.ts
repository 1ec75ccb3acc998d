// The timeline printed after `up`: per service, how long its image, start and readiness took, and the
// critical path through the dependency graph (the chain that decided the total).
import { criticalPath } from '../plan/critical-path.ts';
import type { ServiceTimeline } from '../plan/events.ts';
import { formatDuration } from '../stack/duration.ts';
import type { Stack } from '../stack/model.ts';
import { renderTable } from './table.ts';

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));

export function renderTimeline(stack: Stack, timeline: Readonly<Record<string, ServiceTimeline>>): string {
  const rows = Object.entries(timeline)
    .sort((a, b) => (a[1].readyAt ?? 0) - (b[1].readyAt ?? 0))
    .map(([name, t]) => [
      name,
      fmt(t.imageEnd !== undefined && t.imageStart !== undefined ? t.imageEnd - t.imageStart : undefined),
      fmt(t.startAt),
      fmt(t.startedAt),
      fmt(t.readyAt),
      fmt(t.readyAt !== undefined && t.startedAt !== undefined ? t.readyAt - t.startedAt : undefined),
    ]);
  const path = criticalPath(stack, timeline)
    .map((n) => `${n} (${fmt(timeline[n]?.readyAt)})`)
    .join(' -> ');
  return `${renderTable(['SERVICE', 'IMAGE', 'STARTING AT', 'STARTED AT', 'READY AT', 'START->READY'], rows)}\ncritical path: ${path}`;
}
