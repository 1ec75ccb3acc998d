import { describe, expect, it } from 'vitest';
import { closure, dependentsFirst, findCycle, stackGraph, waitEdges } from './graph.ts';
import type { Action, ServiceSpec } from './model.ts';

const kv = (service: string): Action => ({
  kind: 'consul_kv_put',
  service,
  port: 8500,
  key: 'k',
  value: 'v',
});
const svc = (name: string, over: Partial<ServiceSpec> = {}): ServiceSpec =>
  ({ name, dependsOn: {}, requires: [], afterReady: [], afterCompleted: [], ...over }) as ServiceSpec;
const stack = (...services: ServiceSpec[]) => Object.fromEntries(services.map((s) => [s.name, s]));

describe('the stack graph', () => {
  it('waits for depends_on and for the targets of actions, both moments', () => {
    const job = svc('job', {
      dependsOn: { db: 'ready' },
      afterCompleted: [kv('consul'), kv('consul')],
      afterReady: [kv('other'), { kind: 'kong_plugin', port: 8001, name: 'p' }],
    });
    expect(waitEdges(job)).toEqual([
      { on: 'db', condition: 'ready', via: 'depends_on' },
      { on: 'other', condition: 'ready', via: 'after_ready' },
      { on: 'consul', condition: 'ready', via: 'after_completed' },
    ]);
  });

  it('selects what is waited for and what is brought along, in stack order', () => {
    const graph = stackGraph(
      stack(
        svc('db'),
        svc('consul'),
        svc('job', { dependsOn: { db: 'ready' }, afterCompleted: [kv('consul')] }),
        svc('kong', { requires: ['job'] }),
        svc('alone'),
      ),
    );
    expect(closure(graph, ['kong'])).toEqual(['db', 'consul', 'job', 'kong']);
    expect(closure(graph, ['alone'])).toEqual(['alone']);
  });

  it('finds a cycle through an action, but not through requires', () => {
    const viaAction = stackGraph(
      stack(svc('a', { afterReady: [kv('b')] }), svc('b', { dependsOn: { a: 'ready' } })),
    );
    expect(findCycle(viaAction)).toEqual(['a', 'b', 'a']);
    const viaRequires = stackGraph(
      stack(svc('a', { requires: ['b'] }), svc('b', { dependsOn: { a: 'started' } })),
    );
    expect(findCycle(viaRequires)).toBeUndefined();
  });

  it('orders dependents first, and puts a cycle it cannot order last', () => {
    const deps: Record<string, string[]> = { app: ['db'], db: [], x: ['y'], y: ['x'] };
    expect(dependentsFirst(['db', 'app'], (n) => deps[n] ?? [])).toEqual([['app'], ['db']]);
    expect(dependentsFirst(['db', 'app', 'x', 'y'], (n) => deps[n] ?? [])).toEqual([
      ['app'],
      ['db'],
      ['x', 'y'],
    ]);
  });
});
