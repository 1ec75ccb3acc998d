// The images a multi-stage build leaves behind. The engine's build API (the classic builder, which
// dockerode drives) commits each stage as an image; only the last stage gets the tag and the project's
// labels (the builder appends the labels to the final stage alone). Left as they are, the earlier
// stages' results are untagged images no project label names: a Go service left one at every rebuild
// (~13 MB of its own, ~112 MB for a new project, beside the toolchain's shared 330 MB), which neither
// `down --images` nor a throwaway stack's teardown could find.
//
// So each earlier stage's result is tagged after the build, `<image>-stage<n>` (mkdev-shop-orders:dev
// -> mkdev-shop-orders:dev-stage1), and the image that tag named before is removed with its untagged
// parents: the previous build's own steps go, the steps both builds share (the Go template's
// dependencies) stay, as the next build's cache. The tag goes with its service's image.
import type Docker from 'dockerode';

const STEP = /^Step \d+\/\d+ : (\w+)/i;
const COMMITTED = /^ ---> ([0-9a-f]{12,64})$/;
const STAGE_TAG = /^(.*)-stage\d+$/;

/**
 * The images that ended each stage but the last, from the classic builder's output lines ("Step 3/9 :
 * FROM ...", " ---> 3f2a..."). A stage of FROM alone ends on its base image, which is not the build's
 * and is never named. Output in another shape (another builder) names nothing.
 */
export function earlierStageImages(lines: readonly string[]): string[] {
  const stages: string[] = [];
  let last: string | undefined;
  let afterFrom = false;
  for (const line of lines) {
    const step = STEP.exec(line);
    if (step) {
      const isFrom = step[1]?.toUpperCase() === 'FROM';
      if (isFrom && last !== undefined) stages.push(last);
      if (isFrom) last = undefined;
      afterFrom = isFrom;
      continue;
    }
    const id = COMMITTED.exec(line)?.[1];
    if (id === undefined) continue;
    // The id printed right after FROM is the base image's, not one this build made.
    if (afterFrom) afterFrom = false;
    else last = id;
  }
  return stages;
}

/** `<image>-stage<n>` as a repository and a tag (an image without a tag is `:latest`); none for a digest. */
export function stageTag(image: string, n: number): { repo: string; tag: string } | undefined {
  if (image.includes('@')) return undefined;
  const colon = image.lastIndexOf(':');
  const tagged = colon > image.lastIndexOf('/');
  const repo = tagged ? image.slice(0, colon) : image;
  const tag = tagged ? image.slice(colon + 1) : 'latest';
  return { repo, tag: `${tag}-stage${n}` };
}

/**
 * Tags the earlier stages of a finished build of `image` and removes what those tags named before,
 * never forcibly (an image a container or another image still uses stays). Best effort: a build that
 * succeeded does not fail over its leftovers.
 */
export async function tagEarlierStages(
  docker: Docker,
  image: string,
  lines: readonly string[],
): Promise<void> {
  for (const [i, id] of earlierStageImages(lines).entries()) {
    const target = stageTag(image, i + 1);
    if (target === undefined) return;
    try {
      const previous = await docker
        .getImage(`${target.repo}:${target.tag}`)
        .inspect()
        .then(
          (p) => p.Id,
          () => undefined,
        );
      const current = (await docker.getImage(id).inspect()).Id;
      if (previous === current) continue;
      await docker.getImage(current).tag(target);
      // Not awaited: deleting layers is not on the way to the service's new container (a watch
      // rebuild's), and a process exits only once its engine calls have answered. One still in use
      // (409: a container, another service's stage tag) stays, as any image in use would.
      if (previous !== undefined)
        void docker
          .getImage(previous)
          .remove()
          .catch(() => {});
    } catch {
      // The engine refused the tag: the stage stays untagged, as the builder left it.
    }
  }
}

/**
 * Removes the stage tags (`<tag>-stage<n>`) of `images` by name, from one listing: an image goes with its
 * last tag, and one another service's stage tag also names stays. Answers how many tags went.
 */
export async function removeStageTags(docker: Docker, images: readonly Docker.ImageInfo[]): Promise<number> {
  const tags = new Set(images.flatMap((i) => i.RepoTags ?? []));
  if (tags.size === 0) return 0;
  const stageTags = (await docker.listImages())
    .flatMap((i) => i.RepoTags ?? [])
    .filter((t) => tags.has(STAGE_TAG.exec(t)?.[1] ?? ''));
  const removed = await Promise.all(
    stageTags.map((t) =>
      docker
        .getImage(t)
        .remove()
        .then(
          () => 1,
          // Gone already (404), or in use (409): it stays, as any image in use would.
          () => 0,
        ),
    ),
  );
  return removed.reduce((a: number, b) => a + b, 0);
}
