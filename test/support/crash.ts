// A crash as the engine sees one: the container's main process killed from the host (SIGKILL to
// State.Pid), not `docker stop`/`docker kill`, which a restart policy treats as deliberate.
import type Docker from 'dockerode';
import { docker, eventually } from './cli.ts';

export async function serviceContainer(
  project: string,
  service: string,
): Promise<Docker.ContainerInspectInfo> {
  const [c] = await docker.listContainers({
    all: true,
    filters: { label: [`dev.mkdev.project=${project}`, `dev.mkdev.service=${service}`] },
  });
  if (c === undefined) throw new Error(`no container for ${service} in ${project}`);
  return docker.getContainer(c.Id).inspect();
}

/** What a restart of the service's container changes (or a restart in place must not): id, start, state. */
export async function serviceContainerState(project: string, service: string) {
  const info = await serviceContainer(project, service);
  return {
    id: info.Id,
    startedAt: info.State.StartedAt,
    running: info.State.Running,
    exitCode: info.State.ExitCode,
  };
}

export interface Crash {
  readonly id: string;
  readonly pid: number;
  readonly restartsBefore: number;
  readonly at: number;
}

/** SIGKILLs the main process of the service's container from the host. */
export async function crashService(project: string, service: string): Promise<Crash> {
  const info = await serviceContainer(project, service);
  if (!info.State.Running || info.State.Pid <= 0) throw new Error(`${service} is not running`);
  process.kill(info.State.Pid, 'SIGKILL');
  return { id: info.Id, pid: info.State.Pid, restartsBefore: info.RestartCount, at: Date.now() };
}

/** Resolves once the engine restarted the same container (a new main process, one more restart). */
export async function restartedByEngine(
  crash: Crash,
  timeoutMs: number,
): Promise<Docker.ContainerInspectInfo> {
  return eventually(
    async () => {
      const info = await docker.getContainer(crash.id).inspect();
      return info.State.Running && info.RestartCount > crash.restartsBefore && info.State.Pid !== crash.pid
        ? info
        : undefined;
    },
    timeoutMs,
    'the engine to restart the container',
  );
}
