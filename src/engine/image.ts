// Getting images onto the engine: already there, pulled (with progress), or built from a context.
import type Docker from 'dockerode';
import { withDeadline } from '../abort.ts';
import { isConflict, isNotFound, UserError } from '../errors.ts';

export type Progress = (message: string) => void;

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
  'map it to an image you have with an image map (`--images <file>`, MKDEV_IMAGES, or `images:` in mkdev.yaml); ' +
  'without a registry, `npm run images:offline` builds the offline set and prints its map';

/** A pull that failed: the image, why, and how to do without a registry. */
export function pullFailure(reference: string, reason: string): UserError {
  return new UserError(`cannot pull image ${reference}: ${reason}`, { hint: PULL_HINT });
}

/**
 * Pulls `reference`. A registry that cannot be reached fails within `firstAnswerMs`: the engine
 * answers a pull with progress almost at once when it can reach the registry at all.
 */
export async function pullImage(
  docker: Docker,
  reference: string,
  onProgress: Progress,
  options: { firstAnswerMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const firstAnswerMs = options.firstAnswerMs ?? 10_000;
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
  await new Promise<void>((resolve, reject) => {
    let answered = false;
    const timer = setTimeout(() => {
      if (!answered) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(fail(`no progress within ${firstAnswerMs / 1000} s`));
      }
    }, firstAnswerMs);
    options.signal?.addEventListener(
      'abort',
      () => (stream as unknown as { destroy?: () => void }).destroy?.(),
      { once: true },
    );
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        clearTimeout(timer);
        if (error) reject(fail(shortReason(error)));
        else resolve();
      },
      (event: { status?: string; progress?: string; id?: string; error?: string }) => {
        answered = true;
        if (event.error) return;
        onProgress([event.id, event.status, event.progress].filter(Boolean).join(' '));
      },
    );
  });
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

/** Removes images, never forcibly: one still used by another project's container stays (409). */
export async function removeImages(docker: Docker, images: readonly Docker.ImageInfo[]): Promise<number> {
  const removed = await Promise.all(
    images.map((i) =>
      docker
        .getImage(i.Id)
        .remove()
        .then(() => 1)
        .catch((error: unknown) => {
          if (isNotFound(error) || isConflict(error)) return 0;
          throw error;
        }),
    ),
  );
  return removed.reduce((a, b) => a + b, 0);
}
