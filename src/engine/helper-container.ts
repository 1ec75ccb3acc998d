// mkdev's own helper containers over dockerode (engine.ts' HelperSpec): created from an image over named
// volumes with no network but loopback, labelled with the project and this process (a killed mkdev
// leaves them to the next reap), ended with a signal of the caller's choice (a clean shutdown).
import type Docker from 'dockerode';
import { ignoring, isNotFound } from '../errors.ts';
import type { HelperSpec, Labels } from './engine.ts';
import { LABEL } from './labels.ts';
import { currentOwner, formatOwner } from './owner.ts';

/** Creates and starts it, replacing a leftover of the same name; removed again when it cannot start. */
export async function startHelperContainer(
  docker: Docker,
  project: string,
  labels: Labels,
  spec: HelperSpec,
): Promise<Docker.Container> {
  await docker.getContainer(spec.name).remove({ force: true, v: true }).catch(ignoring(isNotFound));
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [LABEL.project]: project,
      [LABEL.owner]: formatOwner(currentOwner()),
      ...labels,
      ...spec.labels,
    },
    HostConfig: {
      NetworkMode: 'none',
      Mounts: Object.entries(spec.mounts).map(([Source, Target]) => ({
        Type: 'volume' as const,
        Source,
        Target,
      })),
    },
  });
  try {
    await container.start();
  } catch (error) {
    await endHelperContainer(container, 'SIGKILL');
    throw error;
  }
  return container;
}

/** Sends `signal`, waits for it to exit, removes it with its anonymous volumes. */
export async function endHelperContainer(container: Docker.Container, signal: string): Promise<void> {
  await container.kill({ signal }).catch(() => {});
  await container.wait().catch(() => {});
  await container.remove({ force: true, v: true }).catch(ignoring(isNotFound));
}
