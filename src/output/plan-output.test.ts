import { describe, expect, it } from 'vitest';
import { stackOf } from '../../test/support/stack-of.ts';
import { stackHashes } from '../plan/config-hash.ts';
import { computePlan } from '../plan/plan.ts';
import { jsonPlan, renderPlan } from './plan-output.ts';

const stack = stackOf('shop', {
  db: { image: 'example/db:1' },
  api: { image: 'example/api:1', depends_on: { db: { condition: 'started' } } },
});
const empty = {
  containers: [],
  networkExists: false,
  volumes: new Set<string>(),
  images: new Set<string>(),
  builtFor: new Map(),
};
const plan = computePlan(stack, empty, ['db', 'api'], stackHashes(stack));

describe('the printed plan', () => {
  it('is a table of every operation in order, those that change the engine marked, with why and after what', () => {
    const text = renderPlan(plan);
    expect(text).toMatch(/^shop: 12 operations, 7 of them change the engine \(marked \*\)\n/);
    const rows = text.split('\n').filter((l) => /^[ *]\d/.test(l));
    expect(rows).toHaveLength(12);
    expect(rows[0]).toMatch(/^\*1\s+create network\s+mkdev-shop\s+not found$/);
    expect(rows.find((r) => r.includes('wait for'))).toMatch(/api\s+depends on db \(started\)\s+#3 #1 #6$/);
    expect(text.trimEnd().endsWith('dry run: nothing was changed')).toBe(true);
  });

  it('is NDJSON: one object per operation, then the plan', () => {
    const lines = jsonPlan(plan)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(13);
    expect(lines[0]).toEqual({
      type: 'operation',
      id: 1,
      operation: 'create-network',
      services: ['db', 'api'],
      resource: 'mkdev-shop',
      cause: 'not found',
      after: [],
      changesEngine: true,
    });
    expect(lines.find((l) => l.operation === 'reach')).toMatchObject({
      milestone: 'started',
      services: ['db'],
    });
    expect(lines.at(-1)).toEqual({
      type: 'plan',
      project: 'shop',
      dryRun: true,
      operations: 12,
      changing: 7,
    });
  });
});
