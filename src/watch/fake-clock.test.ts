import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.ts';

describe('FakeClock', () => {
  it('fires a timer only once time reaches it, earliest first, and never a cancelled one', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.after(100, () => fired.push('b'));
    clock.after(50, () => fired.push('a'));
    const cancel = clock.after(70, () => fired.push('cancelled'));
    cancel();
    clock.advance(99);
    expect(fired).toEqual(['a']);
    clock.advance(1);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.pending).toBe(0);
  });

  it('fires a timer set by a firing one when it falls due within the same advance', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.after(10, () => clock.after(10, () => fired.push('second')));
    clock.advance(19);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['second']);
  });
});
