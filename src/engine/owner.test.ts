import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { currentOwner, formatOwner, ownerIsGone, parseOwner } from './owner.ts';

describe('stack owners', () => {
  it('round-trip through their label, and a label of another shape is no owner', () => {
    const owner = currentOwner();
    expect(owner.pid).toBe(process.pid);
    expect(parseOwner(formatOwner(owner))).toEqual(owner);
    expect(parseOwner('12@host@')).toEqual({ pid: 12, host: 'host', startTime: '' });
    expect(parseOwner('someone')).toBeUndefined();
    expect(parseOwner('x@host@1')).toBeUndefined();
  });

  it('are alive while their process runs', () => {
    expect(ownerIsGone(currentOwner())).toBe(false);
  });

  it('are gone once their process has exited', () => {
    const { pid } = spawnSync(process.execPath, ['-e', '']);
    expect(ownerIsGone({ ...currentOwner(), pid })).toBe(true);
  });

  it('are gone when their pid now belongs to a process started at another time (a recycled pid)', () => {
    const owner = currentOwner();
    expect(owner.startTime).not.toBe('');
    expect(ownerIsGone({ ...owner, startTime: `${owner.startTime}1` })).toBe(true);
  });

  it('on another host are never judged gone: their processes cannot be seen from here', () => {
    expect(ownerIsGone({ pid: 999_999, host: 'elsewhere', startTime: '1' }, 'here')).toBe(false);
  });
});
