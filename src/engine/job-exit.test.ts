// jobExit on a scripted container: the exit code comes from the container's state once it is final.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { jobExit } from './job-exit.ts';

type State = { Status: string; Running: boolean; Restarting: boolean; ExitCode: number };

/** A container whose wait() answers `waits` in turn and whose inspect() answers `states` in turn. */
function scripted(waits: number[], states: { State: State; RestartCount: number }[]): Docker.Container {
  return {
    wait: async () => ({ StatusCode: waits.shift() ?? 0 }),
    inspect: async () => states.shift() ?? states.at(-1),
  } as unknown as Docker.Container;
}

const exited = (code: number, restarts: number) => ({
  State: { Status: 'exited', Running: false, Restarting: false, ExitCode: code },
  RestartCount: restarts,
});
const restarting = (restarts: number) => ({
  State: { Status: 'restarting', Running: false, Restarting: true, ExitCode: 3 },
  RestartCount: restarts,
});

describe('jobExit', () => {
  it('reports the exit code the state records, even when wait answered 0 around a restart', async () => {
    const job = scripted([0, 3], [restarting(1), exited(3, 3)]);
    expect(await jobExit(job, AbortSignal.timeout(5000))).toEqual({ code: 3, attempts: 4 });
  });

  it('a job that completed: code 0, one run', async () => {
    const job = scripted([0], [exited(0, 0)]);
    expect(await jobExit(job, AbortSignal.timeout(5000))).toEqual({ code: 0, attempts: 1 });
  });

  it('waits again while the engine restarts it, then reports its last exit', async () => {
    const job = scripted([3, 3, 3, 3], [restarting(1), restarting(2), restarting(3), exited(3, 3)]);
    expect(await jobExit(job, AbortSignal.timeout(5000))).toEqual({ code: 3, attempts: 4 });
  });
});
