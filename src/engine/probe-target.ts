// Where a readiness probe reaches a container: its published ports on the engine's host, and exec and
// logs through the engine port.
import type { ProbeTarget } from '../readiness/probe.ts';
import type { ContainerRef, Engine } from './engine.ts';

/** A target from ports already read (a project listing has them): no inspect per container. */
export function probeTarget(
  engine: Engine,
  container: ContainerRef,
  host: string,
  ports: Readonly<Record<string, number>>,
): ProbeTarget {
  return {
    host,
    hostPort: (port, protocol = 'tcp') => ports[`${port}/${protocol}`],
    exec: (command) => engine.exec(container, command),
    logs: () => engine.logs(container),
  };
}

/** A target for a started container; its ports are read once, now. */
export async function probeTargetOf(
  engine: Engine,
  container: ContainerRef,
  host: string,
): Promise<ProbeTarget> {
  const details = await engine.inspect(container);
  return probeTarget(engine, container, host, details?.ports ?? {});
}
