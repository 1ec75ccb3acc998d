import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../stack/load-stack.ts';
import { criticalPath } from './critical-path.ts';
import type { ServiceTimeline } from './events.ts';

const stack = await loadStack({
  cwd: mkdtempSync(join(tmpdir(), 'mkdev-critical-path-')),
  project: 'timeline',
  env: {},
});
const at = (readyAt: number, startedAt = readyAt - 1000): ServiceTimeline => ({ startedAt, readyAt });

describe('the critical path', () => {
  it('follows what the last service waited for, requires included (Kong and its migrations)', () => {
    const timeline = {
      postgres: at(3000),
      consul: at(2000),
      'kong-migrations': at(6000),
      kong: at(9000),
      rabbitmq: at(5000),
    };
    expect(criticalPath(stack, timeline)).toEqual(['postgres', 'kong-migrations', 'kong']);
  });

  it("follows an action's target when it was the later wait (the migrations' flag waits for Consul)", () => {
    const timeline = {
      postgres: at(3000),
      consul: at(5000),
      'kong-migrations': at(6000),
      kong: at(9000),
    };
    expect(criticalPath(stack, timeline)).toEqual(['consul', 'kong-migrations', 'kong']);
  });

  it('is the one service when nothing it waits for ran', () => {
    expect(criticalPath(stack, { rabbitmq: at(4000), postgres: at(1000) })).toEqual(['rabbitmq']);
  });
});
