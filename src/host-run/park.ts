// Parking: while `mkdev run` serves a service from the host, a container whose image runs the templates'
// supervisor is not stopped but parked: its supervisor (PID 1) stops the service's process as on a
// normal stop (it deregisters from Consul and leaves RabbitMQ, so the host process is the only consumer)
// and stays up with no child. The way back is then a process start in a running container: no engine
// start, no container boot. The image says it can with a label, as it says STOPSIGNAL; an image without
// it (a project scaffolded before, the Go template, a Dockerfile of the user's own) is stopped and
// started as before.
//
// The contract with the supervisor: parked is running with no process under its PID 1 but a warm
// standby (childProcesses leaves those out, by their name). mkdev waits for that after SIGUSR2, and
// repair.ts finds one a `mkdev run` that died left behind by it, whatever its record says.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerRef, Engine } from '../engine/engine.ts';

/** The signal (SIGUSR2) that parks the image's service: the supervisors in templates/ts and templates/python. */
export const PARK_SIGNAL_LABEL = 'dev.mkdev.park-signal';
/** The signal that starts the service's process again: the one `mkdev watch` sends to restart it in place. */
export const RESUME_SIGNAL_LABEL = 'dev.mkdev.restart-signal';

/** How often the container's processes are listed while its service stops (the engine has no event for it). */
const POLL_MS = 20;

export interface ParkableContainer extends ContainerRef {
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether the container's image can park its service (both signals labelled). */
export function canPark(c: ParkableContainer): boolean {
  return Boolean(c.labels[PARK_SIGNAL_LABEL] && c.labels[RESUME_SIGNAL_LABEL]);
}

/**
 * Parks the service in `c` and resolves once its process has left (deregistered, disconnected). If the
 * container stops instead (an image whose supervisor does not know the signal), that is as good: it
 * is then started again on the way back, as a stopped one.
 */
export async function park(engine: Engine, c: ParkableContainer, timeoutMs: number): Promise<void> {
  await engine.kill(c, c.labels[PARK_SIGNAL_LABEL] as string);
  const deadline = Date.now() + timeoutMs;
  while ((await engine.childProcesses(c)).length > 0) {
    if (Date.now() > deadline) {
      // Its process does not leave: stopped instead, as a container that cannot park.
      await engine.stop(c);
      return;
    }
    await sleep(POLL_MS);
  }
}

/** Whether `c` is parked now: running, its supervisor with no child. */
export async function isParked(
  engine: Engine,
  c: ParkableContainer & { readonly state: string },
): Promise<boolean> {
  return c.state === 'running' && canPark(c) && (await engine.childProcesses(c)).length === 0;
}

/** Starts the service's process in a parked container again. */
export async function unpark(engine: Engine, c: ParkableContainer): Promise<void> {
  await engine.kill(c, c.labels[RESUME_SIGNAL_LABEL] as string);
}
