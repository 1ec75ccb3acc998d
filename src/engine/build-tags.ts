// The images a build leaves behind besides the one it tags. The engine's build API (the classic builder,
// which dockerode drives) commits every step as an image; only the last stage's result gets the tag and
// the project's labels (the builder appends the labels to the final stage alone). So:
// - a multi-stage build's earlier stages end on untagged images no project label names: a Go service
//   left one at every rebuild (~13 MB of its own, ~112 MB for a new project, beside the toolchain's
//   shared 330 MB), which neither `down --images` nor a throwaway stack's teardown could find;
// - a build that fails keeps the steps that passed (for Go: the source, copied before the compile that
//   failed), untagged too: one more at every edit that does not compile.
//
// Each is tagged after the build, beside the service's image: `<image>-stage<n>` for the earlier stages
// (mkdev-shop-orders:dev -> mkdev-shop-orders:dev-stage1) and `<image>-failed` for what a failed build
// committed last. The image a tag named before is then removed with its untagged parents: the previous
// build's own steps go, the steps both builds share (the Go template's dependencies) stay, as the next
// build's cache. A successful build drops the `-failed` tag the same way, and the tags go with their
// service's image (`down --images`, a throwaway stack's teardown).
import type Docker from 'dockerode';

const STEP = /^Step \d+\/\d+ : (\w+)/i;
const COMMITTED = /^ ---> ([0-9a-f]{12,64})$/;
const BUILD_TAG = /^(.*)-(?:stage\d+|failed)$/;

/**
 * What the classic builder's output lines ("Step 3/9 : FROM ...", " ---> 3f2a...") say it committed: the
 * image each finished stage ended on, and the last image of the stage the output ends in (the final
 * image, or the last step that passed before a failure). A stage of FROM alone ends on its base image,
 * which is not the build's and is never named. Output in another shape (another builder) names nothing.
 */
export function committedImages(lines: readonly string[]): { stages: string[]; last?: string } {
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
  return last === undefined ? { stages } : { stages, last };
}

/** `<image>-<suffix>` as a repository and a tag (an image without a tag is `:latest`); none for a digest. */
export function buildTag(image: string, suffix: string): { repo: string; tag: string } | undefined {
  if (image.includes('@')) return undefined;
  const colon = image.lastIndexOf(':');
  const tagged = colon > image.lastIndexOf('/');
  const repo = tagged ? image.slice(0, colon) : image;
  const tag = tagged ? image.slice(colon + 1) : 'latest';
  return { repo, tag: `${tag}-${suffix}` };
}

/** After a build of `image` that succeeded: its earlier stages tagged, a failed build's leftover dropped. */
export async function tagBuild(docker: Docker, image: string, lines: readonly string[]): Promise<void> {
  const { stages } = committedImages(lines);
  for (const [i, id] of stages.entries()) await moveTag(docker, buildTag(image, `stage${i + 1}`), id);
  await moveTag(docker, buildTag(image, 'failed'), undefined);
}

/** After a build of `image` that failed: what it committed last in the stage that failed, tagged. */
export async function tagFailedBuild(docker: Docker, image: string, lines: readonly string[]): Promise<void> {
  const { last } = committedImages(lines);
  if (last !== undefined) await moveTag(docker, buildTag(image, 'failed'), last);
}

/**
 * Points `target` at image `id` (or at nothing) and removes the image it named before, never forcibly:
 * one a container, another image or another tag still uses stays. Best effort: a build's outcome does
 * not change over its leftovers.
 */
async function moveTag(
  docker: Docker,
  target: { repo: string; tag: string } | undefined,
  id: string | undefined,
): Promise<void> {
  if (target === undefined) return;
  try {
    const previous = await docker
      .getImage(`${target.repo}:${target.tag}`)
      .inspect()
      .then(
        (p) => p.Id,
        () => undefined,
      );
    const current = id === undefined ? undefined : (await docker.getImage(id).inspect()).Id;
    if (previous === current) return;
    if (current !== undefined) await docker.getImage(current).tag(target);
    // By name when nothing takes the tag over (the image may have other tags; they keep it). Not
    // awaited: deleting layers is not on the way to the service's new container (a watch rebuild's),
    // and a process exits only once its engine calls have answered.
    const old = current === undefined ? `${target.repo}:${target.tag}` : previous;
    if (old !== undefined)
      void docker
        .getImage(old)
        .remove()
        .catch(() => {});
  } catch {
    // The engine refused the tag: the image stays untagged, as the builder left it.
  }
}

/**
 * Removes the build tags (`<tag>-stage<n>`, `<tag>-failed`) of `images` by name, from one listing: an
 * image goes with its last tag, and one another service's tag also names stays. Answers how many went.
 */
export async function removeBuildTags(docker: Docker, images: readonly Docker.ImageInfo[]): Promise<number> {
  const tags = new Set(images.flatMap((i) => i.RepoTags ?? []));
  if (tags.size === 0) return 0;
  const buildTags = (await docker.listImages())
    .flatMap((i) => i.RepoTags ?? [])
    .filter((t) => tags.has(BUILD_TAG.exec(t)?.[1] ?? ''));
  const removed = await Promise.all(
    buildTags.map((t) =>
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
