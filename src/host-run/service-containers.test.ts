import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan.ts';
import type { ContainerStep } from '../plan/service-plan.ts';
import { parkedAndKept, startsAsTheyAre } from './service-containers.ts';

/** A plan with only what startsAsTheyAre reads: each service's container steps. */
const planOf = (steps: Record<string, ContainerStep[]>): Plan =>
  ({
    project: 'p',
    pull: 'missing',
    operations: [],
    services: Object.fromEntries(Object.entries(steps).map(([name, s]) => [name, { steps: s }])),
  }) as unknown as Plan;
const keep = (id: string): ContainerStep => ({
  kind: 'keep',
  replica: 1,
  containerId: id,
  completed: false,
  ports: {},
});

describe('startsAsTheyAre (the containers a swap back may start before the executor does)', () => {
  it('gives the containers the plan only starts again, when it keeps every other service', () => {
    const plan = planOf({
      rabbitmq: [keep('r1')],
      kong: [keep('k1')],
      orders: [
        { kind: 'start', replica: 1, containerId: 'o1' },
        { kind: 'start', replica: 2, containerId: 'o2' },
      ],
    });
    expect(startsAsTheyAre(plan, 'orders')).toEqual([
      { id: 'o1', service: 'orders' },
      { id: 'o2', service: 'orders' },
    ]);
  });

  it('gives none when one of them is to be recreated: an old container would boot only to be replaced', () => {
    const plan = planOf({
      rabbitmq: [keep('r1')],
      orders: [
        { kind: 'start', replica: 1, containerId: 'o1' },
        { kind: 'recreate', replica: 2, containerId: 'o2', reason: 'configuration changed' },
      ],
    });
    expect(startsAsTheyAre(plan, 'orders')).toEqual([]);
  });

  it('gives none when the plan changes a dependency, or creates the service', () => {
    const starts: ContainerStep[] = [{ kind: 'start', replica: 1, containerId: 'o1' }];
    expect(
      startsAsTheyAre(
        planOf({
          rabbitmq: [{ kind: 'recreate', replica: 1, containerId: 'r1', reason: 'x' }],
          orders: starts,
        }),
        'orders',
      ),
    ).toEqual([]);
    expect(
      startsAsTheyAre(planOf({ rabbitmq: [{ kind: 'create', replica: 1 }], orders: starts }), 'orders'),
    ).toEqual([]);
    expect(startsAsTheyAre(planOf({ orders: [{ kind: 'create', replica: 1 }] }), 'orders')).toEqual([]);
    expect(startsAsTheyAre(planOf({ orders: [] }), 'orders')).toEqual([]);
  });
});

describe('parkedAndKept (the parked containers whose process a swap back starts as soon as it has planned)', () => {
  const labels = { 'dev.mkdev.park-signal': 'SIGUSR2', 'dev.mkdev.restart-signal': 'SIGHUP' };
  const parked = (id: string) => ({ id, service: 'orders', labels, address: undefined });

  it('gives the parked containers the plan keeps, whatever it does to other services', () => {
    const plan = planOf({
      rabbitmq: [{ kind: 'recreate', replica: 1, containerId: 'r1', reason: 'x' }],
      orders: [keep('o1'), keep('o2')],
    });
    expect(parkedAndKept(plan, 'orders', [parked('o1'), parked('o2')]).map((c) => c.id)).toEqual([
      'o1',
      'o2',
    ]);
  });

  it('leaves out one the plan recreates (it is stopped anyway), and containers that were not parked', () => {
    const plan = planOf({
      orders: [
        keep('o1'),
        { kind: 'recreate', replica: 2, containerId: 'o2', reason: 'configuration changed' },
      ],
    });
    expect(parkedAndKept(plan, 'orders', [parked('o2')])).toEqual([]);
    expect(parkedAndKept(plan, 'orders', [])).toEqual([]);
  });

  it('leaves out a kept container whose image cannot park (its stop failed): it has no signal to resume', () => {
    const plan = planOf({ orders: [keep('o1')] });
    expect(parkedAndKept(plan, 'orders', [{ ...parked('o1'), labels: {} }])).toEqual([]);
  });
});
