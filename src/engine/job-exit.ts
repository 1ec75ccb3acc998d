// A job's exit, as the engine reports it through its restart policy's retries.
import type Docker from 'dockerode';
import { untilAborted } from '../abort.ts';
import type { ExitResult } from './engine.ts';

/**
 * A job's exit code once it has exited for good, and how many runs that took: its on-failure restart
 * policy retries it (the engine marks it restarting before waiters hear of the exit). Rejects as soon
 * as the signal aborts. The code is the one the container's state records once it is neither running
 * nor restarting, not `wait`'s alone: a failed job was once reported as completed under load (wait
 * answered 0 around a restart), which would let what depends on it start on a database never migrated.
 */
export async function jobExit(container: Docker.Container, signal: AbortSignal): Promise<ExitResult> {
  for (;;) {
    await untilAborted(container.wait(), signal);
    const { State, RestartCount } = await container.inspect();
    if (State.Restarting || State.Running || State.Status === 'created') continue;
    const code = State.ExitCode;
    return { code, attempts: code === 0 ? 1 : RestartCount + 1 };
  }
}
