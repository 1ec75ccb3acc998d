// Names of the Docker resources of a project. Compose-like, so `docker ps` reads familiarly.

export const networkName = (project: string) => `mkdev-${project}`;
export const volumeName = (project: string, volume: string) => `${project}_${volume}`;
export const containerName = (project: string, service: string, replica: number) =>
  `${project}-${service}-${replica}`;

/** Where published ports are reached: the engine's host for a remote DOCKER_HOST, else loopback. */
export function engineHost(dockerHost = process.env.DOCKER_HOST): string {
  if (dockerHost?.startsWith('tcp://')) {
    const host = new URL(dockerHost.replace(/^tcp:/, 'http:')).hostname;
    if (host !== '' && host !== '0.0.0.0') return host;
  }
  return '127.0.0.1';
}
