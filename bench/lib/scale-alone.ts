// The reference for the scale goal "up from nothing grows by no more than the containers' own start":
// the extra services' containers created, started and probed directly (no mkdev, no default stack),
// all at once as `up` starts them, on the same engine, with mkdev's own probes polled every 25 ms.
import type Docker from 'dockerode';
import { DockerConnection } from '../../src/engine/docker-connection.ts';
import { ensureNetwork } from '../../src/engine/network.ts';
import { tearDown } from '../../src/project/tear-down.ts';
import { loadStack } from '../../src/stack/load-stack.ts';
import { createService, untilReady } from './lower-bound.ts';

/** ms from the first create to the last extra service ready. */
export async function extraContainersAlone(
  docker: Docker,
  project: string,
  cwd: string,
  images: string,
): Promise<number> {
  const stack = await loadStack({ cwd, project, images, stateDir: cwd, freePorts: true });
  const extras = Object.keys(stack.services).filter((name) => name.startsWith('extra-'));
  const signal = AbortSignal.timeout(300_000);
  try {
    await ensureNetwork(docker, project);
    const started = performance.now();
    await Promise.all(
      extras.map(async (name) => {
        const container = await createService(docker, stack, name);
        await container.start();
        await untilReady(new DockerConnection(docker).project(project), stack, name, container, signal);
      }),
    );
    return performance.now() - started;
  } finally {
    await tearDown(new DockerConnection(docker).project(project), { volumes: true, stopTimeoutSeconds: 0 });
  }
}
