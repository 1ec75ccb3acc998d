// The restart of a `sync+restart` rule, for one container: in place when its image runs a supervisor
// that replaces the service's process on a signal (the TS and Python templates: supervisor.ts and
// supervisor.py), else the container. In place, the container, its address and the instance's
// registration on Consul stay: the new process registers the same instance before the old one leaves,
// so Kong never sees the service missing, and no container stop and start is paid.
//
// The image says so with a label, as it says STOPSIGNAL: only an image built with a supervisor has it,
// so a project scaffolded before, or a Dockerfile of the user's own, keeps the container restart.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.ts';
import type { ObservedContainer } from '../engine/observed-state.ts';

/** The signal (e.g. SIGHUP) that makes the image's supervisor replace the service's process. */
export const RESTART_SIGNAL_LABEL = 'dev.mkdev.restart-signal';

/**
 * How often the container's processes are listed while the old one leaves (the engine has no event for
 * it). Not more often: each listing costs the engine some 24 ms of CPU (it runs `runc ps`, then `ps`),
 * which at every 20 ms took half a core from the new process getting ready on a 2-core machine.
 */
const POLL_MS = 60;

export type RestartKind = 'process' | 'container';

export class ProcessNotReplaced extends Error {}

/**
 * The processes a restart in place waits for to leave; [] when it will restart the container. Listed
 * before the signal, e.g. while the files sync (only the supervisor starts processes, and a standby it
 * starts meanwhile is not listed).
 */
export function processesBeforeRestart(engine: Engine, c: ObservedContainer): Promise<readonly number[]> {
  return c.labels[RESTART_SIGNAL_LABEL] && c.state === 'running'
    ? engine.childProcesses(c)
    : Promise.resolve([]);
}

/**
 * Restarts the service in `c`: its process when the image allows it and the container runs (a
 * container that exited, e.g. after a bad edit, is started again), else the container. In place it
 * resolves once every process that ran before the signal has left, so that what answers next is the
 * new one: readiness probed before that could be answered by the old code.
 */
export async function restartServiceProcess(
  engine: Engine,
  c: ObservedContainer,
  options: { timeoutMs: number; signal: AbortSignal; before?: Promise<readonly number[]> },
): Promise<RestartKind> {
  const restartSignal = c.labels[RESTART_SIGNAL_LABEL];
  const before = await (options.before ?? processesBeforeRestart(engine, c));
  if (!restartSignal || before.length === 0) {
    await engine.restart(c);
    return 'container';
  }
  await engine.kill(c, restartSignal);
  const deadline = Date.now() + options.timeoutMs;
  // A process once missing from the list is not waited for again: a standby the supervisor had just
  // started when `before` was listed is named as one only once its code runs, so it was listed as a
  // child; it shows up as a standby meanwhile (it warms up for some 0.3 s), and then serves after its go.
  const waiting = new Set(before);
  // [] once the container stopped (its new process failed): readiness then reports why it died.
  for (;;) {
    const listed = new Set(await engine.childProcesses(c));
    for (const pid of waiting) if (!listed.has(pid)) waiting.delete(pid);
    if (waiting.size === 0) break;
    if (Date.now() > deadline) {
      throw new ProcessNotReplaced(
        `its process was still running ${Math.round(options.timeoutMs / 1000)} s after ${restartSignal} (the supervisor did not replace it)`,
      );
    }
    await sleep(POLL_MS, undefined, { signal: options.signal });
  }
  return 'process';
}
