// Whole-volume work the engine has no call for (a copy, a wipe, a content checksum), done by a one-shot
// container over the volumes: a POSIX shell script, run as root so ownership and modes are kept. The
// image is any the caller has on the engine with sh, tar, find, sort, xargs and sha256sum (Debian- and
// Alpine-based official images alike).
import type Docker from 'dockerode';
import { ignoring, isNotFound } from '../errors.ts';
import { demuxToText } from './container-ops.ts';
import type { EngineConnection, ScriptRun } from './engine.ts';
import { LABEL } from './labels.ts';
import { currentOwner, formatOwner } from './owner.ts';

/** Runs `script` to its end; its output, or an error naming what failed with the output's tail. */
export async function runScriptOnVolumes(docker: Docker, run: ScriptRun, what: string): Promise<string> {
  const container = await docker.createContainer({
    Image: run.image,
    User: '0',
    Entrypoint: ['sh', '-c'],
    Cmd: [run.script],
    NetworkDisabled: true,
    // The owner label: a process killed mid-way leaves the container to the next reap; never the volumes.
    Labels: { [LABEL.project]: run.project, [LABEL.owner]: formatOwner(currentOwner()), ...run.labels },
    HostConfig: {
      Mounts: Object.entries(run.mounts).map(([volume, m]) => ({
        Type: 'volume' as const,
        Source: volume,
        Target: m.at,
        ReadOnly: m.readOnly === true,
      })),
    },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const output = demuxToText(raw);
    if (StatusCode !== 0) {
      throw new Error(
        `${what} failed (exit ${StatusCode}): ${output.trim().split('\n').slice(-10).join('\n')}`,
      );
    }
    return output;
  } finally {
    await container.remove({ force: true, v: true }).catch(ignoring(isNotFound));
  }
}

/** A volume's details, or undefined when the engine has no volume of that name. */
export async function existingVolume(
  docker: Docker,
  name: string,
): Promise<Docker.VolumeInspectInfo | undefined> {
  try {
    return await docker.getVolume(name).inspect();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Copies everything of `from` into `to` (which must be empty), the file `last` (relative) last: its
 * presence in `to` then means the copy is complete, whatever interrupted it before.
 */
export function copyVolume(
  engine: EngineConnection,
  project: string,
  image: string,
  from: string,
  to: string,
  last: string,
): Promise<string> {
  const script = [
    'set -eu',
    'cd /from',
    `tar -cf - --exclude=${quote(`./${last}`)} . | tar -xpf - -C /to`,
    `if [ -e ${quote(last)} ]; then cp -p ${quote(last)} /to/${quote(last)}; fi`,
    'sync',
  ].join('\n');
  return engine.runOnVolumes(
    { image, project, script, mounts: { [from]: { at: '/from', readOnly: true }, [to]: { at: '/to' } } },
    `copying volume ${from} to ${to}`,
  );
}

/** Empties a volume, the file `first` (relative) first: once it is gone, the volume counts as emptied. */
export function wipeVolume(
  engine: EngineConnection,
  project: string,
  image: string,
  volume: string,
  first: string,
): Promise<string> {
  const script = ['set -eu', `rm -f /v/${quote(first)}`, 'sync', 'find /v -mindepth 1 -delete', 'sync'].join(
    '\n',
  );
  return engine.runOnVolumes(
    { image, project, script, mounts: { [volume]: { at: '/v' } } },
    `emptying volume ${volume}`,
  );
}

/** A checksum of every file's path and content in the volume: equal for two volumes with equal files. */
export async function volumeChecksum(
  engine: EngineConnection,
  project: string,
  image: string,
  volume: string,
): Promise<{ checksum: string; files: number }> {
  const script = [
    'set -eu',
    'cd /v',
    'find . -type f -print0 | LC_ALL=C sort -z > /tmp/files',
    'tr -cd "\\0" < /tmp/files | wc -c',
    'xargs -0r sha256sum < /tmp/files | sha256sum',
  ].join('\n');
  const output = await engine.runOnVolumes(
    { image, project, script, mounts: { [volume]: { at: '/v', readOnly: true } } },
    `reading the files of volume ${volume}`,
  );
  const [files = '', sum = ''] = output.trim().split('\n');
  return { checksum: sum.split(' ')[0] ?? '', files: Number(files.trim()) };
}
