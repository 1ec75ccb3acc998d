// What the loop benches wait with: a poll every 20 ms until a value, and a child's output collected.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `fn` every 20 ms until it gives a value (a throw counts as none), up to `timeoutMs`. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Everything the child writes, stdout and stderr in arrival order. */
export function follow(child: ChildProcess): { text: () => string } {
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  return { text: () => text };
}
