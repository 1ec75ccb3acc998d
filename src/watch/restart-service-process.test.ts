// The wait of a restart in place, against a scripted process list: what `top` shows of the container's
// children (standbys left out by their name) at each poll after the signal.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine/engine.ts';
import type { ObservedContainer } from '../engine/observed-state.ts';
import {
  ProcessNotReplaced,
  RESTART_SIGNAL_LABEL,
  restartServiceProcess,
} from './restart-service-process.ts';

const container: ObservedContainer = {
  id: 'c1',
  name: 'shop-api-1',
  service: 'api',
  replica: 1,
  configHash: 'h',
  state: 'running',
  exitCode: undefined,
  oneShot: false,
  labels: { [RESTART_SIGNAL_LABEL]: 'SIGHUP' },
  ports: {},
};

/** An engine whose child listings after the signal are `polls`, one per call (the last one repeats). */
function scripted(polls: number[][]) {
  const signals: string[] = [];
  let call = 0;
  const engine = {
    kill: async (_c: unknown, signal: string) => {
      signals.push(signal);
    },
    childProcesses: async () => polls[Math.min(call++, polls.length - 1)] as number[],
  } as unknown as Engine;
  return { engine, signals, calls: () => call };
}

const restart = (engine: Engine, before: number[], timeoutMs = 2_000) =>
  restartServiceProcess(engine, container, {
    timeoutMs,
    signal: new AbortController().signal,
    before: Promise.resolve(before),
  });

describe('restartServiceProcess', () => {
  it('resolves once every process listed before the signal has left', async () => {
    const { engine, signals, calls } = scripted([[7], [7, 9], [9]]);
    expect(await restart(engine, [7])).toBe('process');
    expect(signals).toEqual(['SIGHUP']);
    expect(calls()).toBe(3);
  });

  it('does not wait for a standby that was starting when the processes were listed and serves by now', async () => {
    // 7 serves; 8 is the standby the supervisor started at the last handover, not named as one yet when
    // listed. It then shows as a standby (left out), warms up, goes and serves while 7 leaves.
    const { engine } = scripted([[7, 8], [7], [7, 8], [8]]);
    expect(await restart(engine, [7, 8])).toBe('process');
  });

  it('fails when a process listed before the signal never leaves', async () => {
    const { engine } = scripted([[7]]);
    await expect(restart(engine, [7], 100)).rejects.toThrow(ProcessNotReplaced);
  });
});
