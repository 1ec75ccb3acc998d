// The project network: every service joins it and finds the others by service name.
import type Docker from 'dockerode';
import { isConflict } from '../errors.ts';
import { MKDEV_VERSION } from '../version.ts';
import { engineCall } from './engine-error.ts';
import { LABEL } from './labels.ts';
import { networkName, volumeName } from './names.ts';

export async function ensureNetwork(
  docker: Docker,
  project: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const name = networkName(project);
  const existing = await docker.listNetworks({ filters: { name: [name] } });
  if (existing.some((n) => n.Name === name)) return name;
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [LABEL.project]: project, [LABEL.version]: MKDEV_VERSION, ...labels },
    });
  } catch (error) {
    // Another mkdev process may have created it between our look and our create.
    if (!isConflict(error)) throw error;
  }
  return name;
}

/**
 * The network and the named volumes a plan needs, created if missing. `volumeLabels`: each volume's own
 * labels (stack name -> labels), beside the project's.
 */
export async function ensureNetworkAndVolumes(
  docker: Docker,
  project: string,
  volumes: readonly string[],
  labels: Record<string, string> = {},
  volumeLabels: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<void> {
  await engineCall({ doing: `creating the network ${networkName(project)}` }, () =>
    ensureNetwork(docker, project, labels),
  );
  await Promise.all(
    volumes.map((v) =>
      engineCall({ doing: `creating the volume ${volumeName(project, v)}` }, () =>
        ensureVolume(docker, project, volumeName(project, v), { ...volumeLabels[v], ...labels }),
      ),
    ),
  );
}

export async function ensureVolume(
  docker: Docker,
  project: string,
  name: string,
  labels: Record<string, string> = {},
) {
  // Creating an existing volume with the same name is a no-op in the engine: idempotent by design.
  await docker.createVolume({
    Name: name,
    Labels: { [LABEL.project]: project, [LABEL.version]: MKDEV_VERSION, ...labels },
  });
}
