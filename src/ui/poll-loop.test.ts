import { describe, expect, it } from 'vitest';
import { pollLoop } from './poll-loop.ts';

describe('pollLoop', () => {
  it('runs at once, again when kicked (without waiting out the interval), never two at a time, until aborted', async () => {
    const controller = new AbortController();
    let running = 0;
    let overlapped = false;
    const runs: number[] = [];
    let release: () => void = () => {};
    const loop = pollLoop(
      async () => {
        running++;
        overlapped ||= running > 1;
        runs.push(runs.length + 1);
        await new Promise<void>((r) => {
          release = r;
        });
        running--;
      },
      3_600_000,
      controller.signal,
    );
    await until(() => runs.length === 1);
    loop.kick();
    loop.kick();
    release();
    // The interval is an hour: a second run can only come from the kick.
    await until(() => runs.length === 2);
    expect(overlapped).toBe(false);
    controller.abort();
    release();
    await loop.done;
    expect(runs).toEqual([1, 2]);
  });

  it('keeps going when the task fails', async () => {
    const controller = new AbortController();
    let calls = 0;
    const loop = pollLoop(
      async () => {
        calls++;
        if (calls >= 3) controller.abort();
        throw new Error('unreachable platform');
      },
      1,
      controller.signal,
    );
    await loop.done;
    expect(calls).toBe(3);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
