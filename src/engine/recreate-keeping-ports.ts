// A container replaced by a fresh one from the same create options, on the host ports it holds now.
// Restarting a container whose ports the engine chose (throwaway stacks publish on free ports) would
// move them: the engine allocates free ports again at every start, and callers hold URLs with the old.
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';

type Bindings = Record<string, { HostIp: string; HostPort: string }[]>;

/** The host ports a running container holds, as fixed bindings. */
async function currentBindings(container: Docker.Container): Promise<Bindings> {
  const info = await container.inspect();
  const bindings: Bindings = {};
  for (const [key, held] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    if (held && held.length > 0)
      bindings[key] = held.map((b) => ({ HostIp: b.HostIp, HostPort: b.HostPort }));
  }
  return bindings;
}

/**
 * Removes `container` and creates and starts one from `options` in its place, with every port it
 * published held at the same host port. The engine hands out free ports in sequence, so a port just
 * released is not handed to anyone else in between.
 */
export async function recreateKeepingPorts(
  docker: Docker,
  container: Docker.Container,
  options: ContainerCreateOptions,
): Promise<Docker.Container> {
  const bindings = await currentBindings(container);
  await container.remove({ force: true, v: true });
  const replacement = await docker.createContainer({
    ...options,
    HostConfig: { ...options.HostConfig, PortBindings: { ...options.HostConfig?.PortBindings, ...bindings } },
  });
  await replacement.start();
  return replacement;
}
