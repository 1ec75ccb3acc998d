// Removing a project's network after its containers. With 37 containers removed at once, one `down`
// failed with "network ... has active endpoints" (engine 20.10.24, bench: scale 30): inspect listed
// no container, no endpoint name could be disconnected, and the count stayed for good (a leaked
// endpoint in the engine's store; only an engine restart clears it; new containers still join the
// network). So: an endpoint whose container is gone is disconnected, a project container still
// being removed is waited for, a container that is not the project's is named and left alone, and a
// network with nothing attached that still will not go is left for the caller to report: `up` reuses it.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { isNotFound, UserError } from '../errors.ts';
import { LABEL } from './labels.ts';

/** 1 s of retries: long enough for the engine to finish a removal it has answered for. */
const ATTEMPTS = 10;
const RETRY_MS = 100;

const hasActiveEndpoints = (error: unknown) =>
  error instanceof Error && /has active endpoints/.test(error.message);

/** 'removed', or 'stuck' when the engine counts an endpoint that nothing holds (see above). */
export async function removeProjectNetwork(
  docker: Docker,
  id: string,
  project: string,
): Promise<'removed' | 'stuck'> {
  const network = docker.getNetwork(id);
  for (let attempt = 1; ; attempt++) {
    try {
      await network.remove();
      return 'removed';
    } catch (error) {
      if (isNotFound(error)) return 'removed';
      if (!hasActiveEndpoints(error)) throw error;
      if (attempt === ATTEMPTS) return 'stuck';
    }
    const { name, foreign } = await releaseStaleEndpoints(docker, network, project);
    if (foreign.length > 0) {
      throw new UserError(
        `the network ${name} is still used by ${foreign.join(', ')}, not part of ${project}`,
        {
          hint: `disconnect it (docker network disconnect ${name} ${foreign[0]}) and run the command again`,
        },
      );
    }
    await sleep(RETRY_MS);
  }
}

/**
 * Disconnects endpoints whose container is gone; returns the network's name and the attached
 * containers that are not the project's.
 */
async function releaseStaleEndpoints(
  docker: Docker,
  network: Docker.Network,
  project: string,
): Promise<{ name: string; foreign: string[] }> {
  const info = (await network.inspect()) as { Name: string; Containers?: Record<string, { Name: string }> };
  const foreign: string[] = [];
  for (const [container, endpoint] of Object.entries(info.Containers ?? {})) {
    const owner = await docker
      .getContainer(container)
      .inspect()
      .catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
    if (owner === undefined) {
      await network.disconnect({ Container: endpoint.Name, Force: true }).catch(() => {});
    } else if (owner.Config.Labels?.[LABEL.project] !== project) {
      foreign.push(endpoint.Name);
    }
  }
  return { name: info.Name, foreign };
}
