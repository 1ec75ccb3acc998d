// Tight polling until a probe passes. Fails fast when the container dies, and on timeout says what
// was awaited and the last reason it was not ready.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Probe, ProbeTarget } from './probe.ts';

export interface WaitOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Returns a reason when the container can no longer become ready (it exited). */
  readonly whyDead?: () => Promise<string | undefined>;
  readonly onAttempt?: (reason: string) => void;
}

class NotReadyError extends Error {
  readonly lastReason: string;
  constructor(message: string, lastReason: string) {
    super(message);
    this.name = 'NotReadyError';
    this.lastReason = lastReason;
  }
}

export async function waitUntilReady(probe: Probe, target: ProbeTarget, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastReason = 'not checked yet';
  for (;;) {
    options.signal.throwIfAborted();
    const attempt = AbortSignal.any([
      options.signal,
      AbortSignal.timeout(Math.max(options.intervalMs * 10, 2000)),
    ]);
    const result = await probe.check(target, attempt).catch((error: unknown) => ({
      ready: false as const,
      reason: error instanceof Error ? error.message : String(error),
    }));
    if (result.ready) return;
    lastReason = result.reason;
    options.onAttempt?.(lastReason);
    const dead = await options.whyDead?.();
    if (dead) throw new NotReadyError(`${dead} while waiting for ${probe.description}`, lastReason);
    if (Date.now() >= deadline) {
      throw new NotReadyError(
        `not ready after ${Math.round(options.timeoutMs / 1000)} s: waited for ${probe.description} (last: ${lastReason})`,
        lastReason,
      );
    }
    await sleep(options.intervalMs, undefined, { signal: options.signal });
  }
}
