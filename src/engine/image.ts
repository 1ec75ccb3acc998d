// Getting images onto the engine: already there, pulled (with progress), or built from a context.
import type Docker from 'dockerode';
import { withDeadline } from '../abort.ts';
import { isConflict, isNotFound, UserError } from '../errors.ts';
import { registryOf } from '../stack/image-reference.ts';
import { removeBuildTags } from './build-tags.ts';
import { isRetry, type PullProgress, type PullStreamEvent, PullTracker } from './pull-progress.ts';

export async function imageExists(docker: Docker, reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the registry has `reference`, asked without pulling layers (the distribution endpoint), within
 * `deadlineMs`: undefined when it does, else the reason it cannot be pulled.
 */
export async function whyNotPullable(reference: string, deadlineMs = 5000): Promise<string | undefined> {
  const { createDockerClient } = await import('./docker-client.ts');
  try {
    await withDeadline(
      createDockerClient({ timeoutMs: deadlineMs }).getImage(reference).distribution(),
      deadlineMs,
      `no answer from the registry within ${deadlineMs / 1000} s`,
    );
    return undefined;
  } catch (error) {
    return shortReason(error);
  }
}

const PULL_HINT =
  'check the registry it names (is it up; the tag; a mirror or `docker login`), or ' +
  'map it to an image you have with an image map (`--images <file>`, MKDEV_IMAGES, or `images:` in mkdev.yaml); ' +
  'without a registry, `npm run images:offline` builds the offline set and prints its map';

/** A pull that failed: the image, the registry it comes from, the engine's words, and how to do without one. */
export function pullFailure(reference: string, reason: string): UserError {
  return new UserError(`cannot pull image ${reference} from ${registryOf(reference)}: ${reason}`, {
    hint: PULL_HINT,
  });
}

export interface PullOptions {
  /** How long the engine may take to answer at all; a registry it cannot reach fails within it. */
  readonly firstAnswerMs?: number;
  /** How long the stream may be silent before mkdev asks whether the registry still answers. */
  readonly stallMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Pulls `reference`, reporting its progress. A registry that cannot be reached fails within
 * `firstAnswerMs`: the engine answers a pull with progress almost at once when it can reach the registry
 * at all. One that goes away mid-pull fails within seconds, not after the engine's retries (about a
 * minute): when the engine says it retries a layer, or the stream is silent for `stallMs`, mkdev asks the
 * registry for the image's manifest (without pulling); if that fails too, the pull fails with its words.
 * A registry that still answers was a flake: the engine's retry goes on.
 */
export async function pullImage(
  docker: Docker,
  reference: string,
  onProgress: (progress: PullProgress) => void,
  options: PullOptions = {},
): Promise<void> {
  const firstAnswerMs = options.firstAnswerMs ?? 10_000;
  const stallMs = options.stallMs ?? 10_000;
  const fail = (reason: string) => pullFailure(reference, reason);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await withDeadline(
      docker.pull(reference) as Promise<NodeJS.ReadableStream>,
      firstAnswerMs,
      'no answer from the registry',
    );
  } catch (error) {
    throw fail(shortReason(error));
  }
  const destroy = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  const tracker = new PullTracker(reference);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let engineError: string | undefined;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        destroy();
        reject(error);
      } else resolve();
    };
    const registryGone = async (why: string) => {
      if (checking || settled) return;
      checking = true;
      const reason = await askForManifest(docker, reference, 5000).then(
        () => undefined,
        (error: unknown) => shortReason(error),
      );
      checking = false;
      if (reason !== undefined) settle(fail(`the registry stopped answering mid-pull (${why}): ${reason}`));
    };
    let timer = setTimeout(() => settle(fail(`no progress within ${firstAnswerMs / 1000} s`)), firstAnswerMs);
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(function stalled() {
        void registryGone(`no progress for ${stallMs / 1000} s`);
        timer = setTimeout(stalled, stallMs);
      }, stallMs);
    };
    options.signal?.addEventListener('abort', () => settle(options.signal?.reason), { once: true });
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        // The engine reports a failure inside the stream ({"error": ...}) and then ends it normally.
        const failed = error ? shortReason(error) : engineError;
        settle(failed === undefined ? undefined : fail(failed));
      },
      (event: PullStreamEvent) => {
        rearm();
        if (event.error) {
          engineError = event.error;
          return;
        }
        if (isRetry(event)) void registryGone(`the engine is retrying layer ${event.id}`);
        const progress = tracker.feed(event);
        if (progress) onProgress(progress);
      },
    );
  });
}

/**
 * Asks the registry, through the engine, for the image's manifest (GET /distribution), within `ms`. The
 * request is aborted at the deadline: an engine still waiting on a hung registry would otherwise hold
 * the connection, and mkdev's exit, for as long as it waits (about 20 s more, seen here).
 */
async function askForManifest(docker: Docker, reference: string, ms: number): Promise<void> {
  const abort = new AbortController();
  const asked = new Promise<void>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/distribution/${reference}/json`,
        method: 'GET',
        statusCodes: { 200: true, 401: 'no such image', 500: 'server error' },
        abortSignal: abort.signal,
      },
      (error: unknown) => (error ? reject(error) : resolve()),
    );
  });
  try {
    await withDeadline(asked, ms, `no answer from the registry within ${ms / 1000} s`);
  } finally {
    abort.abort();
  }
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (
    message
      .replace(/^\(HTTP code \d+\) [a-z ]+ - /, '')
      .split('\n')[0]
      ?.trim() ?? message
  );
}

/**
 * Removes images mkdev built, with their build tags (build-tags.ts), never forcibly: one still used by
 * another project's container stays (409). The build tags go first, by name: one image can carry two
 * services' tags, and an image goes with its last.
 */
export async function removeImages(docker: Docker, images: readonly Docker.ImageInfo[]): Promise<number> {
  await removeBuildTags(docker, images);
  const removed = await Promise.all(
    images.map((i) =>
      docker
        .getImage(i.Id)
        .remove()
        .then(() => 1)
        .catch(async (error: unknown) => {
          if (isNotFound(error) || isConflict(error)) return 0;
          // Removing an image also removes its untagged parents, which the same list can name: the
          // engine then fails that parent's own removal with a 500 ("unrecognized image ID"), not a
          // 404. Gone is what was asked for.
          if (!(await imageExists(docker, i.Id))) return 0;
          throw error;
        }),
    ),
  );
  return removed.reduce((a, b) => a + b, 0);
}
