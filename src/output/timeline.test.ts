import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceTimeline } from '../plan/events.ts';
import { loadStack } from '../stack/load-stack.ts';
import { renderTimeline } from './timeline.ts';

const stack = await loadStack({
  cwd: mkdtempSync(join(tmpdir(), 'mkdev-timeline-')),
  project: 'timeline',
  env: {},
});
const at = (readyAt: number, startedAt = readyAt - 1000): ServiceTimeline => ({ startedAt, readyAt });

describe('renderTimeline', () => {
  it('lists services by when they were ready, then the critical path with its times', () => {
    const text = renderTimeline(stack, { kong: at(9000), postgres: at(3000), 'kong-migrations': at(6000) });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+IMAGE\s+STARTING AT\s+STARTED AT\s+READY AT\s+START->READY$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/)[0])).toEqual(['postgres', 'kong-migrations', 'kong']);
    expect(lines.at(-1)).toBe('critical path: postgres (3.0s) -> kong-migrations (6.0s) -> kong (9.0s)');
  });
});
