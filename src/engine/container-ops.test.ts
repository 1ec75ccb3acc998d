import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { childProcesses, STANDBY_PROCESS_NAME } from './container-ops.ts';

/** What dockerode throws for an engine's error answer. */
function engineError(statusCode: number, message: string): Error {
  const error = new Error(`(HTTP code ${statusCode}) server error - ${message} `) as Error & {
    statusCode: number;
    json: { message: string };
  };
  error.statusCode = statusCode;
  error.json = { message };
  return error;
}

const container = (top: () => Promise<unknown>) => ({ top }) as unknown as Docker.Container;

describe('childProcesses', () => {
  it('lists what the main process started, not the main process, an exec or a warm standby', async () => {
    const listed = container(async () => ({
      Titles: ['PID', 'PPID', 'COMMAND'],
      Processes: [
        ['100', '90', 'node'], // the main process: its parent is the shim, outside
        ['101', '100', 'node'],
        ['102', '101', 'sh'],
        ['103', '100', STANDBY_PROCESS_NAME],
        ['104', '95', 'sh'], // an exec: its parent is outside too
      ],
    }));
    expect(await childProcesses(listed)).toEqual([101, 102]);
  });

  it('is empty for a container that stopped, or whose main process is exiting', async () => {
    expect(
      await childProcesses(container(() => Promise.reject(engineError(409, 'container x is not running')))),
    ).toEqual([]);
    // containerd's connection to the shim closes as the main process exits (a bad edit, under watch).
    expect(
      await childProcesses(container(() => Promise.reject(engineError(500, 'ttrpc: closed: unknown')))),
    ).toEqual([]);
  });

  it("passes on the engine's other errors", async () => {
    await expect(
      childProcesses(
        container(() => Promise.reject(engineError(500, 'runc did not terminate successfully'))),
      ),
    ).rejects.toThrow(/runc did not terminate/);
    await expect(
      childProcesses(container(() => Promise.reject(engineError(404, 'No such container: x')))),
    ).rejects.toThrow(/No such container/);
  });
});
