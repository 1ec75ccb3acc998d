// Makes a service's image available: present, pulled, or built from its context.
import type Docker from 'dockerode';
import { UserError } from '../errors.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { hostCaBundle, packContext } from './build-context.ts';
import { engineCall } from './engine-error.ts';
import { pullImage } from './image.ts';
import { LABEL } from './labels.ts';

/** What a service's image needs: nothing, a pull, or a build. */
export type ImageStep = 'present' | 'pull' | 'build';

export type ImageReporter = (step: 'pull' | 'build' | 'image-ready', message: string) => void;

export interface ImageNeed {
  readonly service: ServiceSpec;
  readonly step: ImageStep;
  /** Stored on a built image: what it was built from, so the next plan knows whether to rebuild. */
  readonly buildHash: string;
}

export async function ensureImage(
  docker: Docker,
  need: ImageNeed,
  report: ImageReporter,
  signal: AbortSignal,
  /** The project's labels (and a throwaway stack's owner), so the image goes when the stack is reaped. */
  labels: Readonly<Record<string, string>> = {},
): Promise<void> {
  const { service } = need;
  if (need.step === 'present') {
    report('image-ready', `image ${service.image} present`);
    return;
  }
  if (need.step === 'pull') {
    report('pull', `pulling ${service.image}`);
    await pullImage(docker, service.image, (m) => report('pull', `pulling ${service.image}: ${m}`), {
      signal,
    });
    report('image-ready', `pulled ${service.image}`);
    return;
  }
  await buildImage(docker, need, report, signal, labels);
  report('image-ready', `built ${service.image}`);
}

async function buildImage(
  docker: Docker,
  need: ImageNeed,
  report: ImageReporter,
  signal: AbortSignal,
  labels: Readonly<Record<string, string>>,
): Promise<void> {
  const { service } = need;
  const build = service.build;
  if (build === undefined) throw new Error(`no build for ${service.name}`);
  const ca = hostCaBundle();
  report('build', `building ${service.image} from ${build.context}${ca ? ' (with the host CA bundle)' : ''}`);
  const stream = await engineCall({ service: service.name, doing: `building ${service.image}` }, () =>
    docker.buildImage(packContext(build.context, ca), {
      t: service.image,
      dockerfile: build.dockerfile,
      buildargs: { ...build.args },
      labels: { ...labels, [LABEL.buildHash]: need.buildHash },
    }),
  );
  signal.addEventListener('abort', () => (stream as unknown as { destroy?: () => void }).destroy?.(), {
    once: true,
  });
  await followBuild(
    docker,
    stream,
    report,
    (failed, lines) =>
      new UserError(`building ${service.name} failed: ${failed.trim()}`, {
        details: lines.slice(-15).join('\n'),
        hint: `fix ${build.context}/${build.dockerfile} and run 'mkdev up' again`,
      }),
  );
}

/** Follows a build's output to its end, reporting each last line; a failure rejects with `failure`. */
function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  report: ImageReporter,
  failure: (message: string, lines: readonly string[]) => Error,
): Promise<void> {
  const lines: string[] = [];
  return new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output?.find((o) => o.error)?.error;
        if (failed) reject(failure(failed, lines));
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
