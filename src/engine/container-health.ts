// What a failure report reads from a container: why it can no longer become ready, and its last lines.
import type { ContainerRef, Engine } from './engine.ts';

/** Restarts during one `up` after which a service is reported as crash-looping rather than waited for. */
export const CRASH_LOOP_RESTARTS = 3;

/**
 * Why a container can no longer become ready, or undefined while it runs: a check for one wait. Its
 * restarts are counted from the wait's first look, so in a long-lived process (`mkdev ui`, `mkdev
 * watch`) crashes healed before this wait never count toward its crash-loop threshold. Make one per wait.
 */
export function deathWatch(engine: Engine, container: ContainerRef): () => Promise<string | undefined> {
  let baseline: number | undefined;
  return async () => {
    const details = await engine.inspect(container);
    if (details === undefined) return 'the container was removed';
    // A restart policy brings a crashed container back: one crash may be transient, a loop is not.
    baseline ??= details.restartCount;
    const restarts = details.restartCount - baseline;
    if (restarts >= CRASH_LOOP_RESTARTS) {
      // A running container's ExitCode was reset by its restart: name it only while it is down.
      const code = details.running ? '' : `, last exit code ${details.exitCode}`;
      return `the container keeps exiting (restarted ${restarts} times while waiting${code})`;
    }
    if (details.running || details.restarting) return undefined;
    return `the container exited with code ${details.exitCode}`;
  };
}

/** Its last log lines for a failure report; none when they cannot be read (the report goes on). */
export function logTail(engine: Engine, container: ContainerRef, lines = 20): Promise<string> {
  return engine.logs(container, { tail: lines }).then(
    (text) => text.trimEnd(),
    () => '',
  );
}
