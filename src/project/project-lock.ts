// One writer per project: `up`, `down` and new-service's edit of mkdev.yaml hold a lock file naming the
// holder (pid, host, process start time, command). It is never left stale: a holder that was killed is
// recognised as gone (the same test as throwaway stacks' owners, engine/owner.ts) and its lock broken.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentOwner, type Owner, ownerIsGone } from '../engine/owner.ts';
import { UserError } from '../errors.ts';

export interface LockHolder extends Owner {
  /** The mkdev command holding it: up, down, new-service. */
  readonly command: string;
}

export interface ProjectLock {
  readonly file: string;
  release(): void;
}

export interface LockOptions {
  /** Wait for the holder (default) or fail at once (--no-wait). */
  readonly wait: boolean;
  readonly signal?: AbortSignal;
  /** Told once, when the lock is held by another process and we wait. */
  readonly onWait?: (message: string) => void;
  /** Where lock files live; default $XDG_RUNTIME_DIR or the temporary directory, under mkdev-locks/. */
  readonly dir?: string;
}

/** A breaker left by a process killed while breaking a stale lock is itself stale after this long. */
const BREAKER_STALE_MS = 10_000;
const POLL_MS = 200;

export function lockDir(env = process.env): string {
  return join(env.MKDEV_LOCK_DIR ?? env.XDG_RUNTIME_DIR ?? tmpdir(), 'mkdev-locks');
}

function readHolder(file: string): { text: string; holder: LockHolder | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return { text, holder: typeof h.pid === 'number' && typeof h.command === 'string' ? h : undefined };
  } catch {
    return { text, holder: undefined };
  }
}

/** Creates `target` holding `text`, atomically and only if absent: a reader never sees a half-written lock. */
function createExclusive(target: string, text: string): boolean {
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, text);
  try {
    linkSync(temporary, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** Removes a stale lock, unless someone else replaced it meanwhile (the breaker serialises breakers). */
function breakStale(file: string, staleText: string): void {
  const breaker = `${file}.break`;
  if (!createExclusive(breaker, String(process.pid))) {
    try {
      if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS) unlinkSync(breaker);
    } catch {
      // Gone already: the next round tries again.
    }
    return;
  }
  try {
    if (readHolder(file)?.text === staleText) unlinkSync(file);
  } finally {
    unlinkSync(breaker);
  }
}

export function describeHolder(project: string, holder: LockHolder): string {
  return `another mkdev ${holder.command} of ${project} (pid ${holder.pid})`;
}

export async function lockProject(
  project: string,
  command: string,
  options: LockOptions,
): Promise<ProjectLock> {
  const dir = options.dir ?? lockDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${project}.lock`);
  const mine: LockHolder = { ...currentOwner(), command };
  const text = `${JSON.stringify(mine)}\n`;
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (createExclusive(file, text)) break;
    const seen = readHolder(file);
    if (seen === undefined) continue;
    const { holder } = seen;
    if (holder === undefined || ownerIsGone(holder)) {
      breakStale(file, seen.text);
      continue;
    }
    if (!options.wait) {
      throw new UserError(`${describeHolder(project, holder)} is running`, {
        hint: 'wait for it to finish, or run without --no-wait to wait for it',
      });
    }
    if (!announced) {
      announced = true;
      options.onWait?.(`waiting for ${describeHolder(project, holder)}`);
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {
      throw options.signal?.reason;
    });
  }
  const release = () => {
    if (readHolder(file)?.text === text) unlinkSync(file);
    process.off('exit', release);
  };
  process.on('exit', release);
  return { file, release };
}
