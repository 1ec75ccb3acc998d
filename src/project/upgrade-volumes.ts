// The volumes of `mkdev upgrade postgres` (upgrade-postgres.ts): what V's data directory states, the
// volumes an upgrade makes beside it (labelled with the volume they belong to and their role), and the
// checks and stops around copying them.
import type { Engine, VolumeDetails } from '../engine/engine.ts';
import { LABEL } from '../engine/labels.ts';
import { volumeChecksum } from '../engine/volume-ops.ts';
import { UserError } from '../errors.ts';

/** The major V's PG_VERSION states, and where (relative to the volume's root); undefined when none. */
export async function readPgVersion(
  engine: Engine,
  volume: string,
  image: string,
  candidates: readonly string[],
): Promise<{ major: string; rel: string } | undefined> {
  const exists = (await engine.connection.volume(volume)) !== undefined;
  if (!exists) throw new UserError(`the volume ${volume} does not exist: there is nothing to upgrade`);
  const paths = candidates.map((rel) => `/v/${rel}`);
  const texts = await engine.connection.readVolumeFiles({
    volume,
    image,
    mountAt: '/v',
    paths,
    project: engine.project,
  });
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
  engine: Engine,
  volume: string,
): Promise<{ old?: string; new?: { name: string; version: string } }> {
  const list = await engine.connection.volumesLabelled(LABEL.upgradeOf, volume);
  const major = (v: VolumeDetails) => Number(v.labels[LABEL.dataVersion] ?? 0);
  const olds = list.filter((v) => v.labels[LABEL.upgradeRole] === 'old').sort((a, b) => major(b) - major(a));
  const pending = list.find((v) => v.labels[LABEL.upgradeRole] === 'new');
  return {
    ...(olds[0] ? { old: olds[0].name } : {}),
    ...(pending ? { new: { name: pending.name, version: pending.labels[LABEL.dataVersion] ?? '' } } : {}),
  };
}

export async function createUpgradeVolume(
  engine: Engine,
  name: string,
  of: string,
  role: 'old' | 'new',
  image: string,
  major: string,
): Promise<void> {
  await engine.connection.createVolume(name, {
    [LABEL.project]: engine.project,
    [LABEL.upgradeOf]: of,
    [LABEL.upgradeRole]: role,
    [LABEL.image]: image,
    [LABEL.dataProduct]: 'postgres',
    [LABEL.dataVersion]: major,
  });
}

/** Removes a volume an earlier run of this upgrade made; refuses one of that name that it did not make. */
export async function removeOwnLeftover(engine: Engine, name: string, of: string): Promise<void> {
  const info = await engine.connection.volume(name);
  if (info === undefined) return;
  if (info.labels[LABEL.upgradeOf] !== of) {
    throw new UserError(
      `a volume named ${name} exists and was not made by 'mkdev upgrade postgres' for ${of}`,
      {
        hint: `rename or remove ${name} yourself; mkdev does not remove volumes it did not make`,
      },
    );
  }
  await engine.connection.removeVolume(name);
}

/** Stops the project's containers that mount `volume`; their names. */
export async function stopUsers(engine: Engine, volume: string): Promise<string[]> {
  const containers = await engine.containers();
  const users = containers.filter((c) => c.state === 'running' && (c.volumes ?? []).includes(volume));
  await Promise.all(users.map((c) => engine.stop(c)));
  return users.map((c) => c.name);
}

export async function sameFiles(engine: Engine, image: string, a: string, b: string): Promise<void> {
  const [x, y] = await Promise.all([
    volumeChecksum(engine.connection, engine.project, image, a),
    volumeChecksum(engine.connection, engine.project, image, b),
  ]);
  if (x.checksum !== y.checksum || x.files !== y.files) {
    throw new Error(
      `the copy of ${a} in ${b} differs (${x.files} files, ${y.files} copied): nothing was switched`,
    );
  }
}
