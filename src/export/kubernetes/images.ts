// Built services in the cluster: a cluster pulls, so their images go to a registry. The reference is
// `<registry>/<project>-<service>:<context hash>`: a changed context gets a new tag, so applying the
// manifests again rolls the Deployment, and the same context never pushes over a different image.
import { contextHash } from '../../engine/build-context.ts';
import type { Engine, Progress } from '../../engine/engine.ts';
import { UserError } from '../../errors.ts';
import type { ServiceSpec, Stack } from '../../stack/model.ts';

export interface BuiltImage {
  readonly service: ServiceSpec;
  readonly image: string;
}

/** `host[:port]/prefix`, without a trailing slash, lower case (as image references must be). */
export function checkRegistry(registry: string): string {
  const trimmed = registry.replace(/\/+$/, '');
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(trimmed)) {
    throw new UserError(`--registry '${registry}' is not a registry host with an optional path`, {
      hint: 'give it as host[:port]/prefix, lower case: --registry registry.example.com/team',
    });
  }
  return trimmed;
}

export function builtImages(stack: Stack, registry: string | undefined): BuiltImage[] {
  const built = Object.values(stack.services).filter((s) => s.build !== undefined);
  if (built.length === 0) return [];
  if (registry === undefined) {
    throw new UserError(
      `${built.map((s) => s.name).join(', ')} ${built.length === 1 ? 'is' : 'are'} built from source, and a cluster can only pull images from a registry`,
      {
        hint: 'give the registry to push them to: mkdev export kubernetes --registry registry.example.com/team (and --build --push to build and push them)',
      },
    );
  }
  return built.map((s) => {
    const build = s.build;
    const hash = build ? contextHash(build.context, { dockerfile: build.dockerfile, ...build.args }) : 'none';
    return { service: s, image: `${registry}/${stack.project}-${s.name}:${hash.slice(0, 12)}` };
  });
}

export type { Progress };

/** Builds each image under its registry reference and, with `push`, pushes it. */
export async function buildAndPush(
  images: readonly BuiltImage[],
  options: { push: boolean; progress: Progress; engine: Engine },
): Promise<void> {
  const { engine } = options;
  const signal = new AbortController().signal;
  for (const { service, image } of images) {
    const progress = (message: string) => options.progress(`${service.name}: ${message}`);
    await engine.ensureImage(
      { service: { ...service, image }, step: 'build', buildHash: image.slice(image.lastIndexOf(':') + 1) },
      (_step, message) => progress(message),
      signal,
    );
    if (options.push) await engine.connection.pushImage(image, service.name, progress);
  }
}
