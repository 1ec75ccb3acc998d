import { describe, expect, it } from 'vitest';
import { stopDependentsFirst, stopWaves } from './stop-order.ts';

const container = (id: string, service: string, dependsOn?: string) => ({
  id,
  labels: {
    'dev.mkdev.service': service,
    ...(dependsOn === undefined ? {} : { 'dev.mkdev.depends-on': dependsOn }),
  },
});
const ids = (waves: { id: string }[][]) => waves.map((w) => w.map((c) => c.id).sort());

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

describe('stopDependentsFirst', () => {
  it('stops a service once its own dependents have stopped, not once a whole wave has', async () => {
    const events: string[] = [];
    let releaseRabbit = () => {};
    const rabbitStopped = new Promise<void>((resolve) => {
      releaseRabbit = resolve;
    });
    const stopping = stopDependentsFirst(
      [container('kong', 'kong', 'postgres'), container('rabbit', 'rabbitmq'), container('pg', 'postgres')],
      async (c) => {
        events.push(`stop ${c.id}`);
        if (c.id === 'rabbit') await rabbitStopped;
        events.push(`stopped ${c.id}`);
      },
    );
    // RabbitMQ (first wave, nothing depends on it) is still shutting down, Postgres goes after Kong.
    await expect.poll(() => events).toContain('stopped pg');
    expect(events.indexOf('stopped kong')).toBeLessThan(events.indexOf('stop pg'));
    expect(events).not.toContain('stopped rabbit');
    releaseRabbit();
    await stopping;
    expect(events).toContain('stopped rabbit');
  });

  it('stops a cycle together and each replica of a service', async () => {
    const stopped: string[] = [];
    await stopDependentsFirst(
      [
        container('a', 'a', 'b'),
        container('b', 'b', 'a'),
        container('o1', 'o', 'a'),
        container('o2', 'o', 'a'),
      ],
      async (c) => {
        stopped.push(c.id);
      },
    );
    expect(stopped.slice(0, 2).sort()).toEqual(['o1', 'o2']);
    expect(stopped.slice(2).sort()).toEqual(['a', 'b']);
  });
});
