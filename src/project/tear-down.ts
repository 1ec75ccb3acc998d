// Removes a project's labelled resources (stopping containers first, dependents first), and nothing else.
import { type Engine, STOP_GRACE_SECONDS } from '../engine/engine.ts';
import { stopDependentsFirst } from './stop-order.ts';

export interface TearDownResult {
  readonly containers: number;
  readonly networks: number;
  /** Networks the engine would not remove though nothing is attached (engine/remove-network.ts). */
  readonly stuckNetworks: readonly string[];
  readonly volumes: number;
  readonly images: number;
}

export interface TearDownOptions {
  readonly volumes: boolean;
  /** Also the images mkdev built for the project (throwaway test stacks; `down` keeps them). */
  readonly images?: boolean;
  readonly stopTimeoutSeconds?: number;
}

/**
 * A throwaway stack goes with its data, so nothing is gained by graceful shutdowns (RabbitMQ alone
 * takes ~2 s): killed at once, with its volumes and the images it built.
 */
export const THROWAWAY: TearDownOptions = { volumes: true, images: true, stopTimeoutSeconds: 0 };

export async function tearDown(engine: Engine, options: TearDownOptions): Promise<TearDownResult> {
  const containers = await engine.containers();
  // Stopped, then removed (removal alone would SIGKILL): each once its dependents have stopped
  // (stopDependentsFirst), so a service deregisters itself from Consul while Consul still runs, and
  // Postgres and RabbitMQ shut down cleanly. Docker's SIGKILL after the grace period bounds a
  // container that ignores SIGTERM. Anonymous volumes go with their container; named ones stay
  // unless --volumes. With no grace at all the forced removal kills them: no stop calls.
  const grace = options.stopTimeoutSeconds ?? STOP_GRACE_SECONDS;
  // A dependency waits for its dependents' stop, not their removal, so Postgres does not wait for the engine to delete Kong.
  const removals: Promise<void>[] = [];
  if (grace === 0) removals.push(...containers.map((c) => engine.remove(c)));
  else
    await stopDependentsFirst(containers, async (c) => {
      if (c.state === 'running') await engine.stop(c, { graceSeconds: grace });
      removals.push(engine.remove(c));
    });
  await Promise.all(removals);
  const network = await engine.removeNetwork();
  return {
    containers: containers.length,
    networks: network.removed,
    stuckNetworks: network.stuck,
    volumes: options.volumes ? await engine.removeVolumes() : 0,
    images: options.images ? await engine.removeBuiltImages() : 0,
  };
}
