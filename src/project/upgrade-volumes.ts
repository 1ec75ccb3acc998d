// The volumes of `mkdev upgrade postgres` (upgrade-postgres.ts): what V's data directory states, the
// volumes an upgrade makes beside it (labelled with the volume they belong to and their role), and the
// checks and stops around copying them.
import type Docker from 'dockerode';
import { stopContainers } from '../engine/container-lifecycle.ts';
import { LABEL, projectFilter } from '../engine/labels.ts';
import { readVolumeFiles } from '../engine/read-volume.ts';
import { existingVolume, volumeChecksum } from '../engine/volume-ops.ts';
import { isNotFound, UserError } from '../errors.ts';

/** The major V's PG_VERSION states, and where (relative to the volume's root); undefined when none. */
export async function readPgVersion(
  docker: Docker,
  project: string,
  volume: string,
  image: string,
  candidates: readonly string[],
): Promise<{ major: string; rel: string } | undefined> {
  const exists = (await existingVolume(docker, volume)) !== undefined;
  if (!exists) throw new UserError(`the volume ${volume} does not exist: there is nothing to upgrade`);
  const paths = candidates.map((rel) => `/v/${rel}`);
  const texts = await readVolumeFiles(docker, { volume, image, mountAt: '/v', paths, project });
  for (const rel of candidates) {
    const major = texts.get(`/v/${rel}`)?.trim();
    if (major && /^\d+(\.\d+)?$/.test(major)) return { major, rel };
  }
  return undefined;
}

/**
 * The volumes earlier runs made for V (by label): the newest kept old data (several, after several
 * upgrades), and the new data of a run that has not finished its switch.
 */
export async function volumesOfUpgrade(
  docker: Docker,
  volume: string,
): Promise<{ old?: string; new?: { name: string; version: string } }> {
  const list =
    (await docker.listVolumes({ filters: { label: [`${LABEL.upgradeOf}=${volume}`] } })).Volumes ?? [];
  const major = (v: Docker.VolumeInspectInfo) => Number(v.Labels?.[LABEL.dataVersion] ?? 0);
  const olds = list
    .filter((v) => v.Labels?.[LABEL.upgradeRole] === 'old')
    .sort((a, b) => major(b) - major(a));
  const pending = list.find((v) => v.Labels?.[LABEL.upgradeRole] === 'new');
  return {
    ...(olds[0] ? { old: olds[0].Name } : {}),
    ...(pending ? { new: { name: pending.Name, version: pending.Labels?.[LABEL.dataVersion] ?? '' } } : {}),
  };
}

export async function createUpgradeVolume(
  docker: Docker,
  project: string,
  name: string,
  of: string,
  role: 'old' | 'new',
  image: string,
  major: string,
): Promise<void> {
  await docker.createVolume({
    Name: name,
    Labels: {
      [LABEL.project]: project,
      [LABEL.upgradeOf]: of,
      [LABEL.upgradeRole]: role,
      [LABEL.image]: image,
      [LABEL.dataProduct]: 'postgres',
      [LABEL.dataVersion]: major,
    },
  });
}

/** Removes a volume an earlier run of this upgrade made; refuses one of that name that it did not make. */
export async function removeOwnLeftover(docker: Docker, name: string, of: string): Promise<void> {
  const info = await existingVolume(docker, name);
  if (info === undefined) return;
  if (info.Labels?.[LABEL.upgradeOf] !== of) {
    throw new UserError(
      `a volume named ${name} exists and was not made by 'mkdev upgrade postgres' for ${of}`,
      {
        hint: `rename or remove ${name} yourself; mkdev does not remove volumes it did not make`,
      },
    );
  }
  await removeVolume(docker, name);
}

export async function removeVolume(docker: Docker, name: string): Promise<void> {
  await docker
    .getVolume(name)
    .remove()
    .catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
}

/** Stops the project's containers that mount `volume`; their names. */
export async function stopUsers(docker: Docker, project: string, volume: string): Promise<string[]> {
  const containers = await docker.listContainers({ filters: projectFilter(project) });
  const users = containers.filter((c) => (c.Mounts ?? []).some((m) => m.Name === volume));
  await stopContainers(users.map((c) => docker.getContainer(c.Id)));
  return users.map((c) => (c.Names?.[0] ?? c.Id).replace(/^\//, ''));
}

export async function sameFiles(
  docker: Docker,
  project: string,
  image: string,
  a: string,
  b: string,
): Promise<void> {
  const [x, y] = await Promise.all([
    volumeChecksum(docker, project, image, a),
    volumeChecksum(docker, project, image, b),
  ]);
  if (x.checksum !== y.checksum || x.files !== y.files) {
    throw new Error(
      `the copy of ${a} in ${b} differs (${x.files} files, ${y.files} copied): nothing was switched`,
    );
  }
}
