// Names of the Docker resources of a project. Compose-like, so `docker ps` reads familiarly.

export const networkName = (project: string) => `mkdev-${project}`;
export const volumeName = (project: string, volume: string) => `${project}_${volume}`;
export const containerName = (project: string, service: string, replica: number) =>
  `${project}-${service}-${replica}`;
