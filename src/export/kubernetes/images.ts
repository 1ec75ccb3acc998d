// Built services in the cluster: a cluster pulls, so their images go to a registry. The reference is
// `<registry>/<project>-<service>:<context hash>`: a changed context gets a new tag, so applying the
// manifests again rolls the Deployment, and the same context never pushes over a different image.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { contextHash } from '../../engine/build-context.ts';
import { createDockerClient, type Docker } from '../../engine/docker-client.ts';
import { ensureImage } from '../../engine/ensure-image.ts';
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

export type Progress = (message: string) => void;

/** Builds each image under its registry reference and, with `push`, pushes it. */
export async function buildAndPush(
  images: readonly BuiltImage[],
  options: { push: boolean; progress: Progress; docker?: Docker },
): Promise<void> {
  const docker = options.docker ?? createDockerClient();
  const signal = new AbortController().signal;
  for (const { service, image } of images) {
    await ensureImage(
      docker,
      { service: { ...service, image }, step: 'build', buildHash: image.slice(image.lastIndexOf(':') + 1) },
      (_step, message) => options.progress(`${service.name}: ${message}`),
      signal,
    );
    if (options.push) await pushImage(docker, service.name, image, options.progress);
  }
}

async function pushImage(docker: Docker, service: string, image: string, progress: Progress): Promise<void> {
  const fail = (reason: string) =>
    new UserError(`pushing ${image} (service ${service}) failed: ${reason}`, {
      hint: 'check that the registry is reachable from this machine and that you are logged in to it (docker login <registry>)',
    });
  progress(`${service}: pushing ${image}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker
      .getImage(image)
      .push({ authconfig: registryAuth(image) })) as NodeJS.ReadableStream;
  } catch (error) {
    throw fail(firstLine(error));
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output?.find((o) => o.error)?.error;
        if (failed) reject(fail(failed.split('\n')[0]?.trim() ?? failed));
        else resolve();
      },
      (event: { status?: string; id?: string; error?: string }) => {
        if (!event.error && event.status)
          progress(`${service}: ${[event.id, event.status].filter(Boolean).join(' ')}`);
      },
    );
  });
  progress(`${service}: pushed ${image}`);
}

/**
 * The credentials `docker login` stored for the image's registry (in ~/.docker/config.json), else
 * none. The engine refuses a push without an X-Registry-Auth header, so an empty one is sent then.
 * Credential helpers (credsStore) are not consulted.
 */
function registryAuth(image: string, env = process.env): Record<string, string> {
  const host = image.slice(0, image.indexOf('/'));
  try {
    const file = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, { auth?: string }> };
    const auth = config.auths?.[host]?.auth ?? config.auths?.[`https://${host}`]?.auth;
    if (auth === undefined) return {};
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: host };
  } catch {
    return {};
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
