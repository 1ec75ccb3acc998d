import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stack } from '../stack/model.ts';
import { loadLastUp, saveLastUp } from './last-up.ts';

const service = (name: string, dependsOn: Record<string, 'ready'> = {}) =>
  ({
    name,
    dependsOn,
    requires: [],
    afterReady: [],
    afterCompleted: [],
  }) as unknown as Stack['services'][string];

describe('the last up, kept for the dashboard', () => {
  it('is saved per project with its critical path, and read back; none before the first up', () => {
    const projectDir = mkdtempSync(join(tmpdir(), 'mkdev-last-up-'));
    const stack = {
      project: 'shop',
      projectDir,
      services: { db: service('db'), api: service('api', { db: 'ready' }), web: service('web') },
      volumes: [],
      secrets: [],
    } as Stack;
    expect(loadLastUp(stack)).toBeUndefined();
    const timeline = {
      db: { startAt: 0, readyAt: 5000 },
      api: { startAt: 5000, readyAt: 7000 },
      web: { readyAt: 1000 },
    };
    saveLastUp(stack, timeline, 7100);
    const last = loadLastUp(stack);
    expect(last).toMatchObject({ totalMs: 7100, timeline, criticalPath: ['db', 'api'] });
    expect(loadLastUp({ ...stack, project: 'other' })).toBeUndefined();
  });
});
