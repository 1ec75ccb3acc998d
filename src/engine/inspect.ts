// The engine's description of a container, cut down to what mkdev reads from it.
import type Docker from 'dockerode';
import type { ContainerDetails, HostBindings } from './engine.ts';

export function containerDetails(info: Docker.ContainerInspectInfo): ContainerDetails {
  const ports: Record<string, number> = {};
  const bindings: Record<string, { hostIp: string; hostPort: string }[]> = {};
  for (const [key, held] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const first = held?.[0]?.HostPort;
    if (first) ports[key] = Number(first);
    if (held && held.length > 0)
      bindings[key] = held.map((b) => ({ hostIp: b.HostIp, hostPort: b.HostPort }));
  }
  const finished = info.State.FinishedAt;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    running: info.State.Running,
    restarting: info.State.Restarting,
    exitCode: info.State.ExitCode,
    restartCount: info.RestartCount,
    // The zero time until the container has exited once.
    finishedAt: finished && !finished.startsWith('0001-') ? finished : undefined,
    labels: info.Config.Labels ?? {},
    ports,
    bindings: bindings as HostBindings,
  };
}
