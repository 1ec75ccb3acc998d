import { describe, expect, it } from 'vitest';
import { stopWaves } from './stop-order.ts';

const container = (id: string, service: string, dependsOn?: string) => ({
  Id: id,
  Labels: {
    'dev.mkdev.service': service,
    ...(dependsOn === undefined ? {} : { 'dev.mkdev.depends-on': dependsOn }),
  },
});
const ids = (waves: { Id: string }[][]) => waves.map((w) => w.map((c) => c.Id).sort());

describe('stopWaves', () => {
  it('stops dependents first, replicas together, independent services in the first wave', () => {
    const waves = stopWaves([
      container('pg', 'postgres'),
      container('consul', 'consul'),
      container('kong', 'kong', 'postgres,consul'),
      container('orders-1', 'orders', 'kong,consul'),
      container('orders-2', 'orders', 'kong,consul'),
      container('prom', 'prometheus'),
    ]);
    expect(ids(waves)).toEqual([['orders-1', 'orders-2', 'prom'], ['kong'], ['consul', 'pg']]);
  });

  it('ignores dependencies on services that are not there, and stops a cycle in one wave', () => {
    expect(ids(stopWaves([container('a', 'a', 'gone')]))).toEqual([['a']]);
    expect(ids(stopWaves([container('a', 'a', 'b'), container('b', 'b', 'a')]))).toEqual([['a', 'b']]);
  });

  it('without depends-on labels (containers of an older mkdev) stops everything in one wave', () => {
    expect(ids(stopWaves([container('k', 'kong'), container('pg', 'postgres')]))).toEqual([['k', 'pg']]);
  });
});
