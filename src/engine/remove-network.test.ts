// removeProjectNetwork's choices against a scripted engine (the real engine's side is in
// test/teardown-network.test.ts; the leaked endpoint it works around cannot be produced on demand).
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { LABEL } from './labels.ts';
import { removeProjectNetwork } from './remove-network.ts';

const activeEndpoints = () =>
  Promise.reject(
    new Error('(HTTP code 403) error while removing network: network mkdev-p id 1 has active endpoints'),
  );

/** An engine whose network fails removal `failures` times, listing `attached` (id -> project or gone). */
function engine(failures: number, attached: Record<string, string | undefined>) {
  const calls = { remove: 0, disconnected: [] as string[] };
  const network = {
    remove: () => (++calls.remove <= failures ? activeEndpoints() : Promise.resolve()),
    inspect: async () => ({
      Name: 'mkdev-p',
      Containers: Object.fromEntries(Object.keys(attached).map((id) => [id, { Name: `name-${id}` }])),
    }),
    disconnect: async (options: { Container: string }) => {
      calls.disconnected.push(options.Container);
    },
  };
  const docker = {
    getNetwork: () => network,
    getContainer: (id: string) => ({
      inspect: async () => {
        const project = attached[id];
        if (project === undefined) throw Object.assign(new Error('no such container'), { statusCode: 404 });
        return { Config: { Labels: { [LABEL.project]: project } } };
      },
    }),
  } as unknown as Docker;
  return { docker, calls };
}

describe('removeProjectNetwork', () => {
  it('disconnects an endpoint whose container is gone, then removes the network', async () => {
    const { docker, calls } = engine(1, { gone: undefined });
    expect(await removeProjectNetwork(docker, 'n', 'p')).toBe('removed');
    expect(calls.disconnected).toEqual(['name-gone']);
  });

  it("waits while one of the project's own containers is still being removed", async () => {
    const { docker, calls } = engine(3, { mine: 'p' });
    expect(await removeProjectNetwork(docker, 'n', 'p')).toBe('removed');
    expect(calls.remove).toBe(4);
    expect(calls.disconnected).toEqual([]);
  });

  it("names a container that is not the project's and leaves it attached", async () => {
    const { docker, calls } = engine(99, { visitor: 'other' });
    await expect(removeProjectNetwork(docker, 'n', 'p')).rejects.toThrow(
      'still used by name-visitor, not part of p',
    );
    expect(calls.disconnected).toEqual([]);
  });

  it('gives up as stuck when nothing is attached and the engine still refuses', async () => {
    const { docker, calls } = engine(99, {});
    expect(await removeProjectNetwork(docker, 'n', 'p')).toBe('stuck');
    expect(calls.remove).toBe(10);
  });
});
