// Reads small files from a named volume through the engine's archive API (GET /containers/{id}/archive)
// on a container that is created and never started: nothing runs, nothing is written to the volume
// (mounted read-only), and it works the same against a remote engine or Docker Desktop's VM, where the
// volume's directory is not on this machine.
import type Docker from 'dockerode';
import { ignoring, isNotFound } from '../errors.ts';
import type { VolumeRead } from './engine.ts';
import { LABEL } from './labels.ts';
import { currentOwner, formatOwner } from './owner.ts';

/** Each path's text, or undefined where the volume has no such file. */
export async function readVolumeFiles(
  docker: Docker,
  read: VolumeRead,
): Promise<Map<string, string | undefined>> {
  const container = await docker.createContainer({
    Image: read.image,
    // Never started; a command keeps images without one (scratch-like) acceptable to the engine.
    Entrypoint: ['/mkdev-never-started'],
    NetworkDisabled: true,
    // The owner label: a process killed between create and remove leaves it to the next reap.
    Labels: { [LABEL.project]: read.project, [LABEL.owner]: formatOwner(currentOwner()) },
    HostConfig: {
      Mounts: [{ Type: 'volume', Source: read.volume, Target: read.mountAt, ReadOnly: true }],
    },
  });
  try {
    const texts = new Map<string, string | undefined>();
    for (const path of read.paths) texts.set(path, await readOne(container, path));
    return texts;
  } finally {
    // v: the anonymous volumes the image's VOLUME lines made at create; named volumes are never removed.
    await container.remove({ force: true, v: true }).catch(ignoring(isNotFound));
  }
}

async function readOne(container: Docker.Container, path: string): Promise<string | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await container.getArchive({ path });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return firstFileOf(archive);
}

/** The content of the archive's first regular file (the engine archives one file as a one-entry tar). */
async function firstFileOf(archive: NodeJS.ReadableStream): Promise<string | undefined> {
  // Its default export: tar-stream is CommonJS, and the bundle's chunk for it has no named exports.
  const { extract } = (await import('tar-stream')).default;
  return new Promise((resolve, reject) => {
    const tar = extract();
    let found: string | undefined;
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (found === undefined && header.type === 'file') found = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    tar.on('finish', () => resolve(found));
    tar.on('error', reject);
    archive.on('error', reject);
    archive.pipe(tar);
  });
}
