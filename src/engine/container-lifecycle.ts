// Create, start, stop, remove and await one service's containers: the engine calls the executor makes,
// so the executor itself only decides the order.
import type Docker from 'dockerode';
import { untilAborted } from '../abort.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { type ContainerContext, containerCreateOptions } from './container-spec.ts';
import { engineCall } from './engine-error.ts';
import { traitsOf } from './engine-traits.ts';
import { explainStartError } from './start-errors.ts';

/**
 * Compose's and Docker's default: enough for a database to finish initialising or shut down cleanly.
 * Most of the default stack stops within a second; RabbitMQ takes ~7 s.
 */
export const STOP_GRACE_SECONDS = 10;

/** Removes a container; the engine's refusal comes back naming the service and what was being done. */
export async function removeContainer(
  docker: Docker,
  id: string,
  service: string,
  doing: string,
): Promise<void> {
  await engineCall({ service, doing }, () => docker.getContainer(id).remove({ force: true, v: true }));
}

export async function createContainer(
  docker: Docker,
  service: ServiceSpec,
  ctx: ContainerContext,
): Promise<Docker.Container> {
  const { providesHostName } = await traitsOf(docker);
  const options = containerCreateOptions(service, { ...ctx, hostGateway: !providesHostName });
  return engineCall({ service: service.name, doing: 'creating the container' }, () =>
    docker.createContainer(options),
  );
}

/** Starts a container; the engine's refusal (a host port in use) comes back as a message to act on. */
export async function startContainer(container: Docker.Container, service: ServiceSpec): Promise<void> {
  try {
    await container.start();
  } catch (error) {
    throw explainStartError(error, service);
  }
}

/** Stops containers, each with time to shut down cleanly; one already stopped or gone is fine. */
export async function stopContainers(containers: readonly Docker.Container[]): Promise<void> {
  await Promise.all(containers.map((c) => c.stop({ t: STOP_GRACE_SECONDS }).catch(() => {})));
}

/**
 * A job's exit code once it has exited for good, and how many runs that took: its on-failure restart
 * policy retries it (the engine marks it restarting before waiters hear of the exit). Rejects as soon
 * as the signal aborts.
 */
export async function jobExit(
  container: Docker.Container,
  signal: AbortSignal,
): Promise<{ code: number; attempts: number }> {
  for (;;) {
    const { StatusCode } = (await untilAborted(container.wait(), signal)) as { StatusCode: number };
    if (StatusCode === 0) return { code: 0, attempts: 1 };
    const { State, RestartCount } = await container.inspect();
    if (State.Restarting || State.Running) continue;
    return { code: StatusCode, attempts: RestartCount + 1 };
  }
}
