import { describe, expect, it } from 'vitest';
import { StartGate } from './start-gate.ts';

/** A task that records when it starts and finishes only when released. */
function held(log: string[], name: string) {
  let release = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    release: () => release(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StartGate', () => {
  it('runs at most `limit` tasks at once', async () => {
    const log: string[] = [];
    const gate = new StartGate(2);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => held(log, n)) as [
      ReturnType<typeof held>,
      ReturnType<typeof held>,
      ReturnType<typeof held>,
    ];
    const runs = [gate.run(0, a.task), gate.run(0, b.task), gate.run(0, c.task)];
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    a.release();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end a', 'start c']);
    b.release();
    c.release();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c']);
  });

  it('lets the lowest priority number go first among the waiting, then first come', async () => {
    const log: string[] = [];
    const gate = new StartGate(1);
    const first = held(log, 'first');
    const tasks = { late: held(log, 'late'), early: held(log, 'early'), early2: held(log, 'early2') };
    const runs = [
      gate.run(0, first.task),
      gate.run(9, tasks.late.task),
      gate.run(1, tasks.early.task),
      gate.run(1, tasks.early2.task),
    ];
    for (const t of [first, tasks.early, tasks.early2, tasks.late]) {
      await tick();
      t.release();
    }
    await Promise.all(runs);
    expect(log.filter((l) => l.startsWith('start'))).toEqual([
      'start first',
      'start early',
      'start early2',
      'start late',
    ]);
  });

  it('frees the slot when a task fails', async () => {
    const gate = new StartGate(1);
    await expect(gate.run(0, () => Promise.reject(new Error('engine said no')))).rejects.toThrow(
      'engine said no',
    );
    expect(await gate.run(0, async () => 'next')).toBe('next');
  });
});
