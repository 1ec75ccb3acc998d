// Removing a project's network after its containers. The engine (20.10.24) can still list the
// endpoint of a container it has just removed: with 37 containers removed at once, one `down` failed
// with "network ... has active endpoints" (bench: scale 30). Such a stale endpoint is disconnected;
// a container of the project still being removed is waited for; a container that is not the
// project's is not touched: the user is told which one holds the network.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { isNotFound, UserError } from '../errors.ts';
import { LABEL } from './labels.ts';

const ATTEMPTS = 50;
const RETRY_MS = 100;

const hasActiveEndpoints = (error: unknown) =>
  error instanceof Error && /has active endpoints/.test(error.message);

export async function removeProjectNetwork(docker: Docker, id: string, project: string): Promise<void> {
  const network = docker.getNetwork(id);
  for (let attempt = 1; ; attempt++) {
    try {
      await network.remove();
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!hasActiveEndpoints(error) || attempt === ATTEMPTS) throw error;
    }
    const foreign = await releaseStaleEndpoints(docker, network, project);
    if (foreign.length > 0) {
      const name = (await network.inspect()).Name as string;
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

/** Disconnects endpoints whose container is gone; returns the attached containers that are not the project's. */
async function releaseStaleEndpoints(
  docker: Docker,
  network: Docker.Network,
  project: string,
): Promise<string[]> {
  const info = (await network.inspect()) as { Containers?: Record<string, { Name: string }> };
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
  return foreign;
}
