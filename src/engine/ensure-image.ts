// Makes a service's image available: present, pulled, or built from its context. The steps and what
// they report are here once; how an image is pulled or built is the engine's (dockerode's below, the
// fake engine's in memory).
import type Docker from 'dockerode';
import { UserError } from '../errors.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { hostCaBundle, packContext } from './build-context.ts';
import { tagBuild, tagFailedBuild } from './build-tags.ts';
import type { ImageNeed, ImageReporter, Labels } from './engine.ts';
import { engineCall } from './engine-error.ts';
import { LABEL } from './labels.ts';
import { describePull, type PullProgress } from './pull-progress.ts';

/** How an engine pulls and builds. */
export interface ImageWork {
  pull(reference: string, onProgress: (progress: PullProgress) => void): Promise<void>;
  build(need: ImageNeed, report: ImageReporter): Promise<void>;
}

export async function ensureImage(need: ImageNeed, report: ImageReporter, work: ImageWork): Promise<void> {
  const { service } = need;
  if (need.step === 'present') {
    report('image-ready', `image ${service.image} present`);
    return;
  }
  if (need.step === 'absent') {
    // Preflight stops a plan with an absent image; reaching here is a bug, said plainly.
    throw new Error(`image ${service.image} is not present and may not be pulled`);
  }
  if (need.step === 'pull') {
    report('pull', `pulling ${service.image}`);
    let last: PullProgress | undefined;
    await work.pull(service.image, (progress) => {
      last = progress;
      report('pull', `pulling ${service.image}: ${describePull(progress)}`, progress);
    });
    report('image-ready', `pulled ${service.image}${last ? ` (${describePull(last)})` : ''}`);
    return;
  }
  await work.build(need, report);
  report('image-ready', `built ${service.image}`);
}

/** A build that failed: what the builder said, its last lines, and which file to fix. */
export function buildFailure(service: ServiceSpec, failed: string, lines: readonly string[]): UserError {
  const build = service.build;
  return new UserError(`building ${service.name} failed: ${failed.trim()}`, {
    details: lines.slice(-15).join('\n'),
    hint: `fix ${build?.context}/${build?.dockerfile} and run 'mkdev up' again`,
  });
}

// The classic builder takes a cached step's image by id and builds on it. Nothing holds that image for
// the build: removing another image with its untagged parents (another project's `down --images`, a
// throwaway stack's teardown, a superseded build tag, the user's `docker image prune`) can delete a step
// the build has just taken, when two builds share their first steps (two projects from one template).
// The engine then ends the build with one of these, naming the image it lost.
const CACHE_LOST = /(?:failed to get digest|no such image:|unable to find image "?)\s*sha256:[0-9a-f]{12}/i;
/** Builds run again after losing a cached step: each round rebuilds what was removed, so one more rarely races. */
const BUILD_ATTEMPTS = 3;

/** A build that ended because an image it took from the cache was removed underneath it. */
export function lostCachedStep(error: unknown): boolean {
  return error instanceof UserError && CACHE_LOST.test(error.message);
}

/**
 * Builds a service's image from its context, labelled with what it was built from; again when another
 * removal took a cached step from under it.
 */
export async function buildImage(
  docker: Docker,
  need: ImageNeed,
  report: ImageReporter,
  signal: AbortSignal,
  /** The project's labels (and a throwaway stack's owner), so the image goes when the stack is reaped. */
  labels: Labels,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await buildOnce(docker, need, report, signal, labels);
      return;
    } catch (error) {
      if (!lostCachedStep(error) || signal.aborted || attempt === BUILD_ATTEMPTS) throw error;
      report(
        'build',
        `an image the build of ${need.service.image} took from the cache was removed meanwhile; building again`,
      );
    }
  }
}

async function buildOnce(
  docker: Docker,
  need: ImageNeed,
  report: ImageReporter,
  signal: AbortSignal,
  labels: Labels,
): Promise<void> {
  const { service } = need;
  const build = service.build;
  if (build === undefined) throw new Error(`no build for ${service.name}`);
  const ca = hostCaBundle();
  report('build', `building ${service.image} from ${build.context}${ca ? ' (with the host CA bundle)' : ''}`);
  const stream = await engineCall({ service: service.name, doing: `building ${service.image}` }, async () =>
    docker.buildImage(await packContext(build.context, ca), {
      t: service.image,
      dockerfile: build.dockerfile,
      buildargs: { ...build.args },
      labels: { ...labels, [LABEL.buildHash]: need.buildHash },
      // A failed step's container goes too (the classic builder keeps it otherwise): a failed build
      // leaves nothing on the engine.
      forcerm: true,
    }),
  );
  signal.addEventListener('abort', () => (stream as unknown as { destroy?: () => void }).destroy?.(), {
    once: true,
  });
  const lines: string[] = [];
  try {
    await followBuild(docker, stream, report, lines, (failed) => buildFailure(service, failed, lines));
  } catch (error) {
    await tagFailedBuild(docker, service.image, lines);
    throw error;
  }
  await tagBuild(docker, service.image, lines);
}

/**
 * Follows a build's output to its end, reporting each last line and keeping every line in `lines`; a
 * failure rejects with `failure`.
 */
function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  report: ImageReporter,
  lines: string[],
  failure: (message: string) => Error,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output?.find((o) => o.error)?.error;
        if (failed) reject(failure(failed));
        else resolve();
      },
      (event: { stream?: string; error?: string }) => {
        const text = event.stream?.trimEnd();
        if (text) {
          lines.push(...text.split('\n'));
          report('build', text.split('\n').pop() ?? '');
        }
      },
    );
  });
}
