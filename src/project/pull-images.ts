// `mkdev pull`: fetch every image the stack (or the services named) pulls, as `docker compose pull`
// does, all at once, reporting each pull's progress to the services that need it, the way `up` does.
import type { EngineConnection } from '../engine/engine.ts';
import { describePull, type PullProgress } from '../engine/pull-progress.ts';
import { UserError } from '../errors.ts';
import type { StackEvent } from '../plan/events.ts';
import type { Stack } from '../stack/model.ts';
import { type PulledImage, pulledImages } from '../stack/pulled-images.ts';

export interface PullOutcome {
  readonly image: string;
  readonly services: readonly string[];
  /** The pull's last progress (undefined when the engine had nothing to download: up to date). */
  readonly progress?: PullProgress;
}

/** The images `mkdev pull` fetches for `services` (all of the stack's when none are named). */
export function imagesToPull(stack: Stack, services: readonly string[]): PulledImage[] {
  const chosen = services.length === 0 ? Object.keys(stack.services) : services;
  return pulledImages(chosen.flatMap((name) => stack.services[name] ?? []));
}

/**
 * Pulls every image in parallel; a service's line completes once all its images are pulled. Resolves
 * when all are pulled; else rejects, once every pull has ended, with one error naming each that failed.
 */
export async function pullImages(
  connection: EngineConnection,
  images: readonly PulledImage[],
  options: { readonly signal: AbortSignal; readonly onEvent: (event: StackEvent) => void },
): Promise<PullOutcome[]> {
  const t0 = Date.now();
  const emit = (
    services: readonly string[],
    step: StackEvent['step'],
    message: string,
    pull?: PullProgress,
  ) => {
    for (const service of services) {
      options.onEvent({ service, step, message, at: Date.now() - t0, ...(pull ? { pull } : {}) });
    }
  };
  const pending = new Map<string, number>();
  for (const { services } of images) for (const s of services) pending.set(s, (pending.get(s) ?? 0) + 1);
  const pulledFor = (services: readonly string[], message: string) => {
    for (const s of services) {
      const left = (pending.get(s) ?? 1) - 1;
      pending.set(s, left);
      emit([s], left === 0 ? 'completed' : 'image-ready', message);
    }
  };
  const results = await Promise.allSettled(
    images.map(async ({ image, services }): Promise<PullOutcome> => {
      emit(services, 'pull', `pulling ${image}`);
      let last: PullProgress | undefined;
      try {
        await connection.pullImage(image, options.signal, (progress) => {
          last = progress;
          emit(services, 'pull', `pulling ${image}: ${describePull(progress)}`, progress);
        });
      } catch (error) {
        emit(services, 'failed', error instanceof Error ? error.message : String(error));
        throw error;
      }
      pulledFor(services, last ? `pulled ${image} (${describePull(last)})` : `${image} is up to date`);
      return { image, services, ...(last ? { progress: last } : {}) };
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (options.signal.aborted) throw options.signal.reason;
  const [only] = failures;
  if (failures.length === 1 && only instanceof Error) throw only;
  if (failures.length > 0) {
    throw new UserError(`${failures.length} of ${images.length} images could not be pulled:`, {
      details: failures.map((f) => `  - ${f instanceof Error ? f.message : String(f)}`).join('\n'),
      hint: 'check the registry each names (a mirror, a login, the tag), then run mkdev pull again',
    });
  }
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
