import { describe, expect, it } from 'vitest';
import { OneMoreQueue } from './one-more-queue.ts';

describe('OneMoreQueue', () => {
  it('runs one batch at a time and merges everything that arrives meanwhile into one more', async () => {
    const runs: string[][] = [];
    let release: () => void = () => {};
    const queue = new OneMoreQueue<string[]>(
      (a, b) => [...a, ...b],
      async (item) => {
        runs.push(item);
        if (runs.length === 1) await new Promise<void>((r) => (release = r));
      },
    );
    queue.push(['a']);
    queue.push(['b']);
    queue.push(['c']);
    expect(runs).toEqual([['a']]);
    release();
    await queue.idle();
    expect(runs).toEqual([['a'], ['b', 'c']]);
  });
});
