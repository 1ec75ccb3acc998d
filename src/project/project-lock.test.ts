import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentOwner } from '../engine/owner.ts';
import { UserError } from '../errors.ts';
import { lockProject } from './project-lock.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'mkdev-lock-'));

describe('lockProject', () => {
  it('holds the lock until released; a second taker waits, says for whom, then gets it', async () => {
    const dir = fresh();
    const first = await lockProject('shop', 'up', { wait: true, dir });
    const messages: string[] = [];
    let secondGot = false;
    const second = lockProject('shop', 'up', { wait: true, dir, onWait: (m) => messages.push(m) }).then(
      (l) => {
        secondGot = true;
        return l;
      },
    );
    // The waiter has announced itself before the holder lets go: order, not time.
    while (messages.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(secondGot).toBe(false);
    expect(messages).toEqual([`waiting for another mkdev up of shop (pid ${process.pid})`]);
    first.release();
    (await second).release();
    expect(secondGot).toBe(true);
  });

  it('--no-wait fails at once naming the holder', async () => {
    const dir = fresh();
    const held = await lockProject('shop', 'down', { wait: true, dir });
    const error = await lockProject('shop', 'up', { wait: false, dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`another mkdev down of shop (pid ${process.pid}) is running`);
    held.release();
  });

  it('breaks a lock whose holder was killed (same pid number, other start time, or no process)', async () => {
    const dir = fresh();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const pid = child.pid as number;
    writeFileSync(join(dir, 'shop.lock'), JSON.stringify({ ...currentOwner(), pid, command: 'up' }));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = await lockProject('shop', 'up', { wait: false, dir });
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, command: 'up' });
    lock.release();
  });

  it('treats an unreadable lock file as stale', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'shop.lock'), 'not json');
    const lock = await lockProject('shop', 'up', { wait: false, dir });
    lock.release();
  });
});
