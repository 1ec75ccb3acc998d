// The executor on the fake engine: it does what the plan's operations say, in their order, and
// nothing of its own; a failed operation is reported to the services whose work it was.
import { describe, expect, it } from 'vitest';
import { recordedActions } from '../../test/support/fake-project.ts';
import { stackOf } from '../../test/support/stack-of.ts';
import { FakeEngine } from '../engine/fake-engine.ts';
import { stackHashes } from './config-hash.ts';
import type { StackEvent } from './events.ts';
import { executePlan } from './execute.ts';
import { computePlan, type Plan } from './plan.ts';

const stack = stackOf('shop', {
  db: { image: 'example/db:1' },
  api: { image: 'shop/app:1', depends_on: { db: { condition: 'started' } } },
  worker: { image: 'shop/app:1', depends_on: { db: { condition: 'started' } } },
});

async function run(fake: FakeEngine, plan: Plan) {
  const events: StackEvent[] = [];
  const result = executePlan({
    engine: fake.project('shop'),
    plan,
    host: '127.0.0.1',
    signal: AbortSignal.timeout(10_000),
    onEvent: (e) => events.push(e),
    actions: recordedActions(fake),
  });
  return { result, events };
}

const planOn = async (fake: FakeEngine) =>
  computePlan(stack, await fake.project('shop').observe(), Object.keys(stack.services), stackHashes(stack));

describe('executePlan on the fake engine', () => {
  it('runs the operations in the order they come after each other, and keeps the timeline', async () => {
    const fake = new FakeEngine({ images: ['example/db:1', 'shop/app:1'] });
    const { result } = await run(fake, await planOn(fake));
    const { timeline } = await result;
    const log = fake.log((c) => ['ensureNetwork', 'create', 'start'].includes(c.method));
    expect(log[0]).toBe('ensureNetwork mkdev-shop');
    expect(log.indexOf('start shop-db-1')).toBeLessThan(log.indexOf('create shop-api-1'));
    for (const service of ['db', 'api', 'worker']) {
      expect(timeline[service]).toEqual({
        imageStart: expect.any(Number),
        imageEnd: expect.any(Number),
        startAt: expect.any(Number),
        startedAt: expect.any(Number),
        readyAt: expect.any(Number),
      });
    }
  });

  it('decides nothing: an operation missing from the plan is not done for it (the network, here)', async () => {
    const fake = new FakeEngine({ images: ['example/db:1', 'shop/app:1'] });
    const plan = await planOn(fake);
    const withoutNetwork = {
      ...plan,
      operations: plan.operations.filter((o) => o.type !== 'create-network'),
    };
    // Numbered as planned, their `after` no longer names the network: drop it from them too.
    const ops = withoutNetwork.operations.map((o) => ({ ...o, after: o.after.filter((id) => id !== 1) }));
    const { result } = await run(fake, { ...plan, operations: ops as Plan['operations'] });
    await expect(result).rejects.toThrow(
      'db: starting the container failed: the engine said: network mkdev-shop not found',
    );
    expect(fake.log((c) => c.method === 'ensureNetwork')).toEqual([]);
  });

  it('reports a failed operation once to every service whose work it was, and nothing after it runs', async () => {
    const fake = new FakeEngine({ images: ['example/db:1'] });
    const { result, events } = await run(fake, await planOn(fake));
    await expect(result).rejects.toThrow('cannot pull image shop/app:1');
    const failed = events.filter((e) => e.step === 'failed');
    expect(failed.map((e) => e.service)).toEqual(['api', 'worker']);
    expect(failed[0]?.message).toMatch(/^cannot pull image shop\/app:1 from docker.io: pull access denied/);
    expect(fake.log((c) => c.method === 'pull')).toEqual(['pull shop/app:1']);
    expect(fake.log((c) => c.method === 'create' && c.target !== 'shop-db-1')).toEqual([]);
    expect(events.filter((e) => ['api', 'worker'].includes(e.service) && e.step === 'cancelled')).toEqual([]);
  });
});
