// Ownership of throwaway stacks: resources carry the process that started them (pid, host and the
// process's start time, so a recycled pid is not mistaken for the owner). Any later mkdev process
// can then tell that the owner is gone and reap what it left: no sidecar (Ryuk) needed.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface Owner {
  readonly pid: number;
  readonly host: string;
  /** Process start time in clock ticks since boot (Linux), or '' where it cannot be read. */
  readonly startTime: string;
}

export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function currentOwner(): Owner {
  return { pid: process.pid, host: hostname(), startTime: processStartTime(process.pid) };
}

export function formatOwner(owner: Owner): string {
  return `${owner.pid}@${owner.host}@${owner.startTime}`;
}

export function parseOwner(label: string): Owner | undefined {
  const m = /^(\d+)@([^@]+)@(\d*)$/.exec(label);
  return m ? { pid: Number(m[1]), host: m[2] as string, startTime: m[3] as string } : undefined;
}

/** True only when we can be sure the owner is gone: same host, and no process with that pid and start time. */
export function ownerIsGone(owner: Owner, here = hostname()): boolean {
  if (owner.host !== here) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const now = processStartTime(owner.pid);
  return owner.startTime !== '' && now !== '' && now !== owner.startTime;
}
