import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { createDockerClient } from '../../src/engine/docker-client.ts';
import { consumeProgress } from './docker-stream.ts';
import { RECIPE_HASH_LABEL } from './recipe-hash.ts';
import { tarDirectory } from './tar-context.ts';

/** A dockerode client for the engine mkdev itself uses (DOCKER_HOST, the Docker context, the usual sockets). */
export function connectDocker(): Docker {
  return createDockerClient();
}

/** The id and recipe hash label of an existing image, or undefined when the image does not exist. */
export async function existingImage(
  docker: Docker,
  ref: string,
): Promise<{ id: string; hash: string } | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return { id: info.Id, hash: info.Config?.Labels?.[RECIPE_HASH_LABEL] ?? '' };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Removes images that a rebuild left untagged, children first. Images still used by a container
 * (or by another image) stay: the engine refuses with 409 and that is fine.
 */
export async function removeReplaced(docker: Docker, ids: readonly string[]): Promise<number> {
  let removed = 0;
  for (const id of [...ids].reverse()) {
    try {
      const info = await docker.getImage(id).inspect();
      if ((info.RepoTags ?? []).length > 0) continue;
      await docker.getImage(id).remove();
      removed += 1;
    } catch {
      // in use or already gone
    }
  }
  return removed;
}

/** Builds `contextDir` (which holds a Dockerfile) as `ref`, labelled with the recipe hash. */
export async function buildFromContext(
  docker: Docker,
  contextDir: string,
  ref: string,
  hash: string,
  buildArgs: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<void> {
  const tar = tarDirectory(contextDir);
  const stream = await docker.buildImage(tar.stream, {
    t: ref,
    labels: { [RECIPE_HASH_LABEL]: hash },
    buildargs: buildArgs,
    rm: true,
    forcerm: true,
    // No registry is reachable: never try to pull the FROM image.
    pull: false,
  } as Docker.ImageBuildOptions);
  await Promise.all([consumeProgress(stream as unknown as Readable, 40, onLine), tar.done]);
}

/** Imports a rootfs directory as image `ref` with the given Dockerfile instructions applied. */
export async function importRootfs(
  docker: Docker,
  rootfsDir: string,
  ref: string,
  changes: readonly string[],
  onLine?: (line: string) => void,
): Promise<void> {
  const [repo, tag] = splitRef(ref);
  const tar = tarDirectory(rootfsDir);
  const stream = (await docker.importImage(tar.stream, {
    repo,
    tag,
    changes: [...changes],
  })) as unknown as Readable;
  await Promise.all([consumeProgress(stream, 40, onLine), tar.done]);
}

function splitRef(ref: string): [string, string] {
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return [ref, 'latest'];
  return [ref.slice(0, colon), ref.slice(colon + 1)];
}
