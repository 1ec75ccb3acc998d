// A job's exit, as the engine reports it through its restart policy's retries.
import type Docker from 'dockerode';
import { untilAborted } from '../abort.ts';
import type { ExitResult } from './engine.ts';

/**
 * A job's exit code once it has exited for good, and how many runs that took: its on-failure restart
 * policy retries it (the engine marks it restarting before waiters hear of the exit). Rejects as soon
 * as the signal aborts.
 */
export async function jobExit(container: Docker.Container, signal: AbortSignal): Promise<ExitResult> {
  for (;;) {
    const { StatusCode } = (await untilAborted(container.wait(), signal)) as { StatusCode: number };
    if (StatusCode === 0) return { code: 0, attempts: 1 };
    const { State, RestartCount } = await container.inspect();
    if (State.Restarting || State.Running) continue;
    return { code: StatusCode, attempts: RestartCount + 1 };
  }
}
