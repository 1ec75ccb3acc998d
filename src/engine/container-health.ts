// What a failure report reads from a container: why it can no longer become ready, and its last lines.
import type { ContainerRef, Engine } from './engine.ts';

/** Restarts during one `up` after which a service is reported as crash-looping rather than waited for. */
export const CRASH_LOOP_RESTARTS = 3;

const restartBaseline = new Map<string, number>();

/** Why a container can no longer become ready, or undefined while it runs. */
export async function whyDead(engine: Engine, container: ContainerRef): Promise<string | undefined> {
  const details = await engine.inspect(container);
  if (details === undefined) return 'the container was removed';
  // A restart policy brings a crashed container back: one crash may be transient, a loop is not.
  // Counted from the first look in this process, so crashes healed long ago do not count.
  const baseline = restartBaseline.get(details.id) ?? details.restartCount;
  restartBaseline.set(details.id, baseline);
  const restarts = details.restartCount - baseline;
  if (restarts >= CRASH_LOOP_RESTARTS) {
    // A running container's ExitCode was reset by its restart: name it only while it is down.
    const code = details.running ? '' : `, last exit code ${details.exitCode}`;
    return `the container keeps exiting (restarted ${restarts} times while waiting${code})`;
  }
  if (details.running || details.restarting) return undefined;
  return `the container exited with code ${details.exitCode}`;
}

/** Its last log lines for a failure report; none when they cannot be read (the report goes on). */
export function logTail(engine: Engine, container: ContainerRef, lines = 20): Promise<string> {
  return engine.logs(container, { tail: lines }).then(
    (text) => text.trimEnd(),
    () => '',
  );
}
