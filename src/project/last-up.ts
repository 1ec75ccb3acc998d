// The last `up`'s timeline, kept beside the project's secrets (<projectDir>/.mkdev/) so the dashboard
// can draw it later: per service when its image, start and readiness happened, and the critical path.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { criticalPath } from '../plan/critical-path.ts';
import type { ServiceTimeline } from '../plan/events.ts';
import type { Stack } from '../stack/model.ts';

export interface LastUp {
  readonly finishedAt: string;
  readonly totalMs: number;
  readonly timeline: Readonly<Record<string, ServiceTimeline>>;
  readonly criticalPath: readonly string[];
}

function lastUpFile(stack: Stack): string {
  return join(stack.projectDir, '.mkdev', `last-up-${stack.project}.json`);
}

export function saveLastUp(
  stack: Stack,
  timeline: Readonly<Record<string, ServiceTimeline>>,
  totalMs: number,
): void {
  const record: LastUp = {
    finishedAt: new Date().toISOString(),
    totalMs,
    timeline,
    criticalPath: criticalPath(stack, timeline),
  };
  mkdirSync(join(stack.projectDir, '.mkdev'), { recursive: true });
  writeFileSync(lastUpFile(stack), `${JSON.stringify(record, null, 2)}\n`);
}

/** The last recorded `up`, or undefined when none was recorded (or the record is unreadable). */
export function loadLastUp(stack: Stack): LastUp | undefined {
  try {
    return JSON.parse(readFileSync(lastUpFile(stack), 'utf8')) as LastUp;
  } catch {
    return undefined;
  }
}
